#Requires -Version 7.2
<#
.SYNOPSIS
    Helpers for integration tests against the fixture STING stack (tests/fixtures/sting-stack).

.DESCRIPTION
    Builds the local fixture image, runs private copies of the fixture compose project (own project name,
    own port prefix, own control directory, owner pid label), injects faults through the control
    directory, and removes everything again, including what an interrupted earlier run left behind.

    Rules the helpers keep: every docker / docker-compose call has a timeout; every wait is bounded;
    the only processes ended are ones these helpers started (by their Process object); only containers,
    volumes and directories of `stingtest-*` projects are removed. No module dependencies.
#>

Set-StrictMode -Version Latest

$script:FixtureRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' 'fixtures' 'sting-stack'))
$script:ImageTag = 'stingops-fixture:local'
$script:ImageHashLabel = 'com.stingops.fixture.hash'
$script:ProjectNamePrefix = 'stingtest-'
$script:ProjectLabel = 'com.docker.compose.project'
$script:ServiceLabel = 'com.docker.compose.service'
$script:OwnerPidLabel = 'com.stingops.test-owner-pid'
$script:OwnerHostLabel = 'com.stingops.test-owner-host'
$script:ComposeCli = $null
$script:ModelCache = @{}
$script:Invariant = [System.Globalization.CultureInfo]::InvariantCulture

#region private helpers

function Invoke-StingProcess {
    <# Runs a program with a hard timeout; returns ExitCode/StdOut/StdErr; throws on timeout, and on a
       non-zero exit unless -AllowFailure. On timeout the process tree started here is killed. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $FilePath,
        [string[]] $ArgumentList = @(),
        [ValidateRange(1, 3600)][int] $TimeoutSec = 60,
        [System.Collections.IDictionary] $Environment,
        [string] $WorkingDirectory,
        [switch] $AllowFailure
    )
    $psi = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $ArgumentList) { $psi.ArgumentList.Add([string]$a) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    if ($WorkingDirectory) { $psi.WorkingDirectory = $WorkingDirectory }
    if ($Environment) {
        foreach ($key in $Environment.Keys) {
            if ($null -eq $Environment[$key]) { [void]$psi.Environment.Remove($key) }
            else { $psi.Environment[$key] = [string]$Environment[$key] }
        }
    }
    $display = "$FilePath $($ArgumentList -join ' ')"
    try { $proc = [System.Diagnostics.Process]::Start($psi) }
    catch { throw "Cannot run '$FilePath': $($_.Exception.Message)" }
    try {
        $proc.StandardInput.Close()
        $outTask = $proc.StandardOutput.ReadToEndAsync()
        $errTask = $proc.StandardError.ReadToEndAsync()
        if (-not $proc.WaitForExit($TimeoutSec * 1000)) {
            try { $proc.Kill($true) } catch { Write-Verbose "kill: $($_.Exception.Message)" }
            [void]$proc.WaitForExit(5000)
            $partial = if ($errTask.Wait(2000)) { $errTask.Result.Trim() } else { '' }
            throw "Timed out after ${TimeoutSec}s: $display$(if ($partial) { "`n$partial" })"
        }
        $proc.WaitForExit()
        $stdout = if ($outTask.Wait(5000)) { $outTask.Result } else { '' }
        $stderr = if ($errTask.Wait(5000)) { $errTask.Result } else { '' }
        $result = [pscustomobject]@{ ExitCode = $proc.ExitCode; StdOut = $stdout; StdErr = $stderr; Command = $display }
        if ($result.ExitCode -ne 0 -and -not $AllowFailure) {
            throw "'$display' exited with $($result.ExitCode): $(($stderr + "`n" + $stdout).Trim())"
        }
        $result
    }
    finally { $proc.Dispose() }
}


function Get-StingComposeCli {
    # The compose CLI of the engine leg under test (tools/test-engine.sh): `docker compose` (v2) by default,
    # docker-compose (v1) on the legacy leg (STINGOPS_ENGINE_LEG=legacy). Never the other one silently: a
    # stack made by one generation is not the same stack to the other (names, config hashes).
    if ($null -eq $script:ComposeCli) {
        if ($env:STINGOPS_ENGINE_LEG -eq 'legacy') {
            if (-not (Get-Command 'docker-compose' -CommandType Application -ErrorAction SilentlyContinue)) { throw 'The legacy leg needs docker-compose (v1); run tools/test-engine.sh --leg legacy.' }
            $script:ComposeCli = @('docker-compose')
        }
        elseif ((Invoke-StingFixtureDocker -ArgumentList 'compose', 'version' -TimeoutSec 20 -AllowFailure).ExitCode -eq 0) {
            $script:ComposeCli = @('docker', 'compose')
        }
        else { throw 'The docker compose plugin (v2) is not installed; run tools/test-engine.sh (or set STINGOPS_ENGINE_LEG=legacy for docker-compose v1).' }
    }
    , $script:ComposeCli
}

function Resolve-StingProject {
    param([Parameter(Mandatory)] $Project)
    if ($Project -is [string]) {
        # A bare project name: enough for the docker-only helpers.
        return [pscustomobject]@{ ProjectName = $Project; Directory = $null; ComposeFile = $null; Profile = @() }
    }
    if (-not $Project.PSObject.Properties['ProjectName']) { throw 'Project must come from New-StingFixtureProject (or be a project name).' }
    $Project
}

function Invoke-StingCompose {
    <# docker-compose --project-directory <dir> -p <name> -f <file> [--profile p]... <args>, with the
       project's variables set explicitly so the caller's environment cannot redirect it. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Project,
        [Parameter(Mandatory)][string[]] $ArgumentList,
        [int] $TimeoutSec = 120,
        [switch] $AllowFailure
    )
    $cli = Get-StingComposeCli
    $argv = [System.Collections.Generic.List[string]]::new()
    foreach ($c in ($cli | Select-Object -Skip 1)) { $argv.Add($c) }
    $argv.AddRange([string[]]@('--project-directory', $Project.Directory, '-p', $Project.ProjectName))
    # Several files merge in order, as `-f a -f b` does (a test may add an override to its project copy).
    foreach ($file in @($Project.ComposeFile)) { $argv.Add('-f'); $argv.Add($file) }
    foreach ($prof in @($Project.Profile)) { if ($prof) { $argv.Add('--profile'); $argv.Add($prof) } }
    $argv.AddRange([string[]]$ArgumentList)
    $envOverride = [ordered]@{
        COMPOSE_PROJECT_NAME  = $Project.ProjectName
        STING_PORT_PREFIX     = [string]$Project.PortPrefix
        STING_CONTROL_DIR     = $Project.ControlDirectory
        STING_TEST_OWNER_PID  = [string]$Project.OwnerPid
        STING_TEST_OWNER_HOST = $(if ($Project.PSObject.Properties['OwnerHost'] -and $Project.OwnerHost) { $Project.OwnerHost } else { [System.Environment]::MachineName })
        COMPOSE_FILE          = $null
        COMPOSE_PROFILES      = $null
        COMPOSE_PATH_SEPARATOR = $null
        COMPOSE_IGNORE_ORPHANS = $null
    }
    Invoke-StingProcess -FilePath $cli[0] -ArgumentList $argv -TimeoutSec $TimeoutSec -Environment $envOverride `
        -WorkingDirectory $Project.Directory -AllowFailure:$AllowFailure
}

function Test-StingPidAlive {
    param([int] $ProcessId)
    if ($ProcessId -le 0) { return $false }
    if ($ProcessId -eq $PID) { return $true }
    try { $null = Get-Process -Id $ProcessId -ErrorAction Stop; $true } catch { $false }
}

function Test-StingPortFree {
    param([int] $Port)
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, $Port)
    try { $listener.Start(); $true } catch { $false } finally { try { $listener.Stop() } catch { } }
}

function Get-StingFreePortPrefix {
    <#
    .SYNOPSIS
        A port prefix P (200..326) whose ports P01..P<Ports> are all free on 127.0.0.1. Ports stay below Linux's
        ephemeral range (32768 and up): there, a healthcheck's outgoing connection could take a service's port while
        the service restarts, and its next start would fail to bind (seen once: loki, exit 1).
    #>
    param([ValidateRange(1, 99)][int] $Ports)
    for ($attempt = 0; $attempt -lt 60; $attempt++) {
        $candidate = Get-Random -Minimum 200 -Maximum 327
        if (@(1..$Ports | Where-Object { -not (Test-StingPortFree -Port ($candidate * 100 + $_)) }).Count -eq 0) { return $candidate }
    }
    throw 'No free port prefix (200..326) found after 60 tries.'
}

function Get-StingFixtureHash {
    param([string] $BusyBoxPath)
    $sha = [System.Security.Cryptography.IncrementalHash]::CreateHash([System.Security.Cryptography.HashAlgorithmName]::SHA256)
    try {
        foreach ($f in @((Join-Path $script:FixtureRoot 'image' 'Dockerfile'), (Join-Path $script:FixtureRoot 'image' 'sting-service.sh'), $BusyBoxPath)) {
            $sha.AppendData([System.IO.File]::ReadAllBytes($f))
        }
        [System.Convert]::ToHexString($sha.GetHashAndReset()).ToLowerInvariant().Substring(0, 16)
    }
    finally { $sha.Dispose() }
}

function Get-StingFixtureModel {
    <# Services of the project as `docker-compose config` resolves them: Name, Profiles, Port, DependsOn.
       A small reader for compose's normalised YAML output (one service per 2-space key), so the helpers
       need no YAML module. #>
    param([Parameter(Mandatory)] $Project)
    $key = "$(@($Project.ComposeFile) -join ';')|$($Project.ProjectName)"
    if ($script:ModelCache.ContainsKey($key)) { return $script:ModelCache[$key] }
    # compose v2 leaves services of inactive profiles out of `config` unless every profile is asked for.
    $configArgs = if ((Get-StingComposeCli)[0] -eq 'docker') { @('--profile', '*', 'config') } else { @('config') }
    $text = (Invoke-StingCompose -Project $Project -ArgumentList $configArgs -TimeoutSec 60).StdOut
    $services = [System.Collections.Generic.List[object]]::new()
    $current = $null; $section = $null; $inServices = $false; $depIndent = -1
    foreach ($line in ($text -split "`r?`n")) {
        if ($line -match '^\S') { $inServices = $line -match '^services:\s*$'; $current = $null; continue }
        if (-not $inServices -or $line -match '^\s*$') { continue }
        $indent = $line.Length - $line.TrimStart().Length
        $trim = $line.Trim()
        if ($indent -eq 2 -and $trim -match '^([A-Za-z0-9._-]+):\s*$') {
            $current = [pscustomobject]@{ Name = $Matches[1]; Profiles = [System.Collections.Generic.List[string]]::new(); Port = $null; DependsOn = [System.Collections.Generic.List[string]]::new() }
            $services.Add($current); $section = $null; continue
        }
        if ($null -eq $current) { continue }
        if ($indent -eq 4 -and $trim -match '^([A-Za-z0-9_]+):') { $section = $Matches[1]; $depIndent = -1; continue }
        switch ($section) {
            'profiles' { if ($trim -match '^-\s*["'']?([^"'']+)["'']?$') { $current.Profiles.Add($Matches[1]) } }
            'environment' { if ($trim -match '^STING_PORT:\s*["'']?(\d+)["'']?$') { $current.Port = [int]$Matches[1] } }
            'depends_on' {
                if ($trim -match '^-\s*([A-Za-z0-9._-]+)$') { $current.DependsOn.Add($Matches[1]) }
                elseif ($trim -match '^([A-Za-z0-9._-]+):\s*$') {
                    if ($depIndent -lt 0) { $depIndent = $indent }
                    if ($indent -eq $depIndent) { $current.DependsOn.Add($Matches[1]) }
                }
            }
        }
    }
    if ($services.Count -eq 0) { throw "docker-compose config listed no services for $($Project.ProjectName)." }
    $script:ModelCache[$key] = $services.ToArray()
    $script:ModelCache[$key]
}

function Format-StingContainerProblem {
    param($Container)
    $detail = "$($Container.State)"
    if ($Container.Health -and $Container.Health -ne 'none') { $detail += ", $($Container.Health)" }
    if ($Container.State -in 'exited', 'dead' -or $Container.RestartCount -gt 0) { $detail += ", exit code $($Container.ExitCode), restarts $($Container.RestartCount)" }
    if ($Container.LastHealthOutput) { $detail += ", last probe: $($Container.LastHealthOutput)" }
    $detail
}

#endregion

#region public functions

function Invoke-StingFixtureDocker {
    <#
    .SYNOPSIS
        Runs the docker CLI with a timeout (default 60 s); returns ExitCode, StdOut, StdErr. Throws on a
        non-zero exit unless -AllowFailure, and on timeout (the docker process is killed).
    .EXAMPLE
        Invoke-StingFixtureDocker restart, $container.Id
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)][string[]] $ArgumentList,
        [ValidateRange(1, 3600)][int] $TimeoutSec = 60,
        [switch] $AllowFailure
    )
    Invoke-StingProcess -FilePath 'docker' -ArgumentList $ArgumentList -TimeoutSec $TimeoutSec -AllowFailure:$AllowFailure
}

function Initialize-StingFixtureImage {
    <#
    .SYNOPSIS
        Builds stingops-fixture:local when it is missing or its inputs (Dockerfile, service script, the
        host's busybox) changed since it was built; offline, from a temp build context.
    #>
    [CmdletBinding()]
    param(
        [switch] $Force,
        [string] $BusyBoxPath = $(if ($env:STING_BUSYBOX) { $env:STING_BUSYBOX } else { '/bin/busybox' }),
        [ValidateRange(10, 3600)][int] $TimeoutSec = 300
    )
    if (-not (Test-Path -LiteralPath $BusyBoxPath -PathType Leaf)) {
        throw "No busybox binary at '$BusyBoxPath': install Debian's busybox-static (or set STING_BUSYBOX to a static busybox)."
    }
    $hash = Get-StingFixtureHash -BusyBoxPath $BusyBoxPath
    $existing = Invoke-StingFixtureDocker -ArgumentList 'image', 'inspect', '--format', "{{.Id}} {{index .Config.Labels `"$script:ImageHashLabel`"}}", $script:ImageTag -TimeoutSec 30 -AllowFailure
    $oldId = $null
    if ($existing.ExitCode -eq 0) {
        $oldId, $oldHash = $existing.StdOut.Trim() -split ' ', 2
        if (-not $Force -and $oldHash -eq $hash) {
            return [pscustomobject]@{ Image = $script:ImageTag; Id = $oldId; Hash = $hash; Built = $false }
        }
    }
    $context = Join-Path ([System.IO.Path]::GetTempPath()) ("stingops-fixture-build-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    [void][System.IO.Directory]::CreateDirectory($context)
    try {
        Copy-Item -LiteralPath (Join-Path $script:FixtureRoot 'image' 'Dockerfile'), (Join-Path $script:FixtureRoot 'image' 'sting-service.sh') -Destination $context
        Copy-Item -LiteralPath $BusyBoxPath -Destination (Join-Path $context 'busybox')
        # A Windows checkout may have turned the script's line ends into CRLF; busybox sh needs LF.
        $script = Join-Path $context 'sting-service.sh'
        [System.IO.File]::WriteAllText($script, ([System.IO.File]::ReadAllText($script) -replace "`r`n", "`n"))
        $null = Invoke-StingFixtureDocker -ArgumentList 'build', '--quiet', '--label', "$script:ImageHashLabel=$hash", '-t', $script:ImageTag, $context -TimeoutSec $TimeoutSec
    }
    finally { Remove-Item -LiteralPath $context -Recurse -Force -ErrorAction SilentlyContinue }
    $newId = (Invoke-StingFixtureDocker -ArgumentList 'image', 'inspect', '--format', '{{.Id}}', $script:ImageTag -TimeoutSec 30).StdOut.Trim()
    if ($oldId -and $oldId -ne $newId) {
        # The superseded image goes unless a container still uses it (then docker refuses; fine).
        $null = Invoke-StingFixtureDocker -ArgumentList 'image', 'rm', $oldId -TimeoutSec 60 -AllowFailure
    }
    [pscustomobject]@{ Image = $script:ImageTag; Id = $newId; Hash = $hash; Built = $true }
}

function New-StingFixtureProject {
    <#
    .SYNOPSIS
        Copies the fixture into a fresh private (0700) temp directory with a .env naming a unique
        stingtest-* project, a free port prefix, the owner pid and the copy's control directory.
    #>
    [CmdletBinding()]
    param(
        [string[]] $Profile = @(),
        # The pid recorded as owner (labels); a test of leftover clean-up passes a dead one.
        [int] $OwnerPid = $PID,
        # The host recorded as owner; Remove-StingFixtureLeftover leaves other hosts' projects alone.
        [string] $OwnerHost = [System.Environment]::MachineName
    )
    $suffix = [System.Convert]::ToHexString([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(4)).ToLowerInvariant()
    $name = "$script:ProjectNamePrefix$suffix"
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) $name
    if ($IsWindows) { [void][System.IO.Directory]::CreateDirectory($dir) }
    else { [void][System.IO.Directory]::CreateDirectory($dir, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute') }
    try {
        foreach ($item in Get-ChildItem -LiteralPath $script:FixtureRoot -Force) {
            Copy-Item -LiteralPath $item.FullName -Destination $dir -Recurse -Force
        }
        # Nothing from someone's manual runs: no busybox copy, no knobs, no .env.
        Remove-Item -LiteralPath (Join-Path $dir 'image' 'busybox'), (Join-Path $dir '.env') -Force -ErrorAction SilentlyContinue
        $control = Join-Path $dir 'control'
        [void][System.IO.Directory]::CreateDirectory($control)
        Get-ChildItem -LiteralPath $control -Filter '*.env' -File -Force | Remove-Item -Force

        $prefix = Get-StingFreePortPrefix -Ports 19

        $profiles = @($Profile | Where-Object { $_ })
        $lines = @(
            '# Written by TestHelpers.psm1 (New-StingFixtureProject) for one test run.'
            "COMPOSE_PROJECT_NAME=$name"
            "STING_PORT_PREFIX=$prefix"
            "STING_TEST_OWNER_PID=$OwnerPid"
            "STING_TEST_OWNER_HOST=$OwnerHost"
            "STING_CONTROL_DIR=$control"
        )
        if ($profiles.Count) { $lines += "COMPOSE_PROFILES=$($profiles -join ',')" }
        $envFile = Join-Path $dir '.env'
        [System.IO.File]::WriteAllLines($envFile, [string[]]$lines)

        [pscustomobject]@{
            PSTypeName        = 'StingOps.Test.FixtureProject'
            ProjectName       = $name
            Directory         = $dir
            PortPrefix        = $prefix
            ComposeFile       = Join-Path $dir 'docker-compose.yml'
            ModernOverlayFile = Join-Path $dir 'docker-compose.modern.yml'
            ConfigFile        = Join-Path $dir 'conf' 'config.yml'
            ControlDirectory  = $control
            EnvFile           = $envFile
            Profile           = [string[]]$profiles
            OwnerPid          = $OwnerPid
            OwnerHost         = $OwnerHost
        }
    }
    catch {
        Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
        throw
    }
}

function Get-StingFixtureService {
    <#
    .SYNOPSIS
        The project's services as compose resolves them: Name, Profiles, Port, DependsOn, Enabled (under
        the project's profiles). -Enabled returns only the services an `up` would start.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Project, [switch] $Enabled)
    $Project = Resolve-StingProject $Project
    foreach ($s in Get-StingFixtureModel -Project $Project) {
        $on = $s.Profiles.Count -eq 0 -or @($s.Profiles | Where-Object { $_ -in @($Project.Profile) }).Count -gt 0
        if ($Enabled -and -not $on) { continue }
        [pscustomobject]@{
            PSTypeName = 'StingOps.Test.FixtureService'
            Name = $s.Name; Port = $s.Port; DependsOn = [string[]]$s.DependsOn; Profiles = [string[]]$s.Profiles; Enabled = $on
        }
    }
}

function Get-StingFixtureContainer {
    <#
    .SYNOPSIS
        The project's containers (docker ps -a by the compose project label) with Service, Id, State,
        Health and more from docker inspect.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Project, [string[]] $Service)
    $Project = Resolve-StingProject $Project
    $psArgs = @('ps', '-a', '-q', '--no-trunc', '--filter', "label=$script:ProjectLabel=$($Project.ProjectName)")
    # Label filters AND together: one service is filtered by the engine, several here.
    if ($Service -and @($Service).Count -eq 1) { $psArgs += '--filter', "label=$script:ServiceLabel=$($Service[0])" }
    $ids = @((Invoke-StingFixtureDocker -ArgumentList $psArgs -TimeoutSec 30).StdOut -split '\s+' | Where-Object { $_ })
    if ($ids.Count -eq 0) { return }
    # A container can vanish between ps and inspect: inspect prints the others and fails; keep those.
    $inspect = Invoke-StingFixtureDocker -ArgumentList (@('inspect') + $ids) -TimeoutSec 30 -AllowFailure
    if (-not $inspect.StdOut.Trim()) { return }
    foreach ($c in @($inspect.StdOut | ConvertFrom-Json -Depth 20)) {
        $labels = $c.Config.Labels
        $svc = $labels.$script:ServiceLabel
        if ($Service -and $svc -notin $Service) { continue }
        $health = if ($c.State.PSObject.Properties['Health'] -and $c.State.Health) { $c.State.Health.Status } else { 'none' }
        $lastProbe = $null
        if ($health -ne 'none' -and $c.State.Health.Log) {
            $lastProbe = (@($c.State.Health.Log)[-1].Output -replace '\s+', ' ').Trim()
            if ($lastProbe.Length -gt 200) { $lastProbe = $lastProbe.Substring(0, 200) + '...' }
        }
        $port = $null
        foreach ($e in @($c.Config.Env)) { if ($e -match '^STING_PORT=(\d+)$') { $port = [int]$Matches[1] } }
        [pscustomobject]@{
            PSTypeName       = 'StingOps.Test.FixtureContainer'
            Service          = $svc
            Id               = $c.Id
            Name             = $c.Name.TrimStart('/')
            State            = $c.State.Status
            Health           = $health
            ExitCode         = $c.State.ExitCode
            RestartCount     = $c.RestartCount
            StartedAt        = $c.State.StartedAt
            FinishedAt       = $c.State.FinishedAt
            NetworkMode      = $c.HostConfig.NetworkMode
            RestartPolicy    = $c.HostConfig.RestartPolicy.Name
            Port             = $port
            OwnerPid         = $labels.$script:OwnerPidLabel
            LastHealthOutput = $lastProbe
            Inspect          = $c
        }
    }
}

function Get-StingContainerSummary {
    <# Service, Id, State, Health of the project's containers from one `docker ps` (no inspect): cheap
       enough to poll. Health comes from the status text: "Up 3 seconds (health: starting)". #>
    param([Parameter(Mandatory)][string] $ProjectName)
    $format = "{{.ID}}`t{{.Label `"$script:ServiceLabel`"}}`t{{.State}}`t{{.Status}}"
    $ps = Invoke-StingProcess -FilePath 'docker' -ArgumentList 'ps', '-a', '--no-trunc', '--filter', "label=$script:ProjectLabel=$ProjectName", '--format', $format -TimeoutSec 30
    foreach ($line in ($ps.StdOut -split "`r?`n" | Where-Object { $_ })) {
        $id, $svc, $state, $status = $line -split "`t", 4
        $health = if ($status -match '\((healthy|unhealthy|health: starting)\)') { $Matches[1] -replace '^health: ', '' } else { 'none' }
        [pscustomobject]@{ Service = $svc; Id = $id; State = $state; Health = $health }
    }
}

function Wait-StingFixtureHealthy {
    <#
    .SYNOPSIS
        Waits (bounded) until every named service (default: every service enabled under the project's
        profiles) has a running, healthy container; throws listing the ones that are not (state,
        health, exit code, last probe output). -PassThru returns the containers.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Project,
        [string[]] $Service,
        [ValidateRange(1, 3600)][int] $TimeoutSec = 120,
        [ValidateRange(50, 10000)][int] $PollMilliseconds = 500,
        [switch] $PassThru
    )
    $Project = Resolve-StingProject $Project
    if (-not $Service) { $Service = @(Get-StingFixtureService -Project $Project -Enabled | ForEach-Object Name) }
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        $summary = @(Get-StingContainerSummary -ProjectName $Project.ProjectName)
        $waiting = @(foreach ($s in $Service) {
            $mine = @($summary | Where-Object Service -eq $s)
            if ($mine.Count -eq 0 -or @($mine | Where-Object { $_.State -ne 'running' -or $_.Health -notin 'healthy', 'none' }).Count) { $s }
        })
        if ($waiting.Count -eq 0) {
            if ($PassThru) { Get-StingFixtureContainer -Project $Project -Service $Service }
            return
        }
        if ($clock.Elapsed.TotalSeconds -ge $TimeoutSec) {
            $detail = @(Get-StingFixtureContainer -Project $Project -Service $waiting)
            $list = ($waiting | ForEach-Object {
                    $s = $_
                    $c = @($detail | Where-Object { $_.Service -eq $s -and ($_.State -ne 'running' -or $_.Health -notin 'healthy', 'none') }) | Select-Object -First 1
                    if (-not $c) { $c = @($detail | Where-Object Service -eq $s) | Select-Object -First 1 }
                    "  ${s}: $(if ($c) { Format-StingContainerProblem $c } else { 'no container' })"
                }) -join "`n"
            throw "Fixture project $($Project.ProjectName): $($waiting.Count) of $(@($Service).Count) service(s) not healthy after ${TimeoutSec}s:`n$list"
        }
        Start-Sleep -Milliseconds $PollMilliseconds
    }
}

function Start-StingFixture {
    <#
    .SYNOPSIS
        docker-compose up -d (all enabled services, or -Service and what they depend on), then waits
        until every started service is healthy; -TimeoutSec bounds both together. -PassThru returns the
        containers (one docker inspect each: seconds on a busy host, so only on request).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Project,
        [string[]] $Service,
        [ValidateRange(5, 3600)][int] $TimeoutSec = 120,
        # Return after `up` without waiting for health (fault-injection tests).
        [switch] $NoWait,
        [switch] $PassThru
    )
    $Project = Resolve-StingProject $Project
    if (-not $Project.Directory -or @($Project.ComposeFile | Where-Object { -not (Test-Path -LiteralPath $_) }).Count) { throw "Fixture project $($Project.ProjectName) has no compose file (removed?)." }
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $upArgs = @('up', '-d', '--no-color')
    if ($Service) { $upArgs += '--'; $upArgs += $Service }
    $failure = $null
    try {
        # compose v1 itself waits here for dependencies with condition: service_healthy.
        $up = Invoke-StingCompose -Project $Project -ArgumentList $upArgs -TimeoutSec $TimeoutSec -AllowFailure
        if ($up.ExitCode -ne 0) { $failure = "docker-compose up exited with $($up.ExitCode):`n$($up.StdErr.Trim())" }
    }
    catch { $failure = $_.Exception.Message }
    if ($failure) {
        $state = (@(Get-StingFixtureContainer -Project $Project) | Sort-Object Service | ForEach-Object { "  $($_.Service): $(Format-StingContainerProblem $_)" }) -join "`n"
        throw "Start-StingFixture $($Project.ProjectName) failed after $([int]$clock.Elapsed.TotalSeconds)s: $failure`nContainers:`n$(if ($state) { $state } else { '  (none)' })"
    }
    if ($NoWait) {
        if ($PassThru) { Get-StingFixtureContainer -Project $Project }
        return
    }
    $expected = if ($Service) {
        @($Service) + @(Get-StingContainerSummary -ProjectName $Project.ProjectName | ForEach-Object Service) | Sort-Object -Unique
    }
    else { @(Get-StingFixtureService -Project $Project -Enabled | ForEach-Object Name) }
    $left = [int][math]::Max(1, [math]::Ceiling($TimeoutSec - $clock.Elapsed.TotalSeconds))
    Wait-StingFixtureHealthy -Project $Project -Service $expected -TimeoutSec $left -PassThru:$PassThru
}

function Set-StingFixtureKnob {
    <#
    .SYNOPSIS
        Writes <control>/<service>.env, read by the service at each start. Only the knobs given change
        (merged with those already set); -NeverHealthy:$false / -CrashOnStart:$false clear a switch.
        Takes effect at the container's next start (docker restart, restart policy, StingOps).
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] $Project,
        [Parameter(Mandatory)][ValidatePattern('^[A-Za-z0-9._-]+$')][string] $Service,
        [ValidateRange(0.0, 3600.0)][double] $StartupDelay,
        [switch] $NeverHealthy,
        [switch] $CrashOnStart,
        [ValidateRange(0.1, 3600.0)][double] $CrashAfter
    )
    $Project = Resolve-StingProject $Project
    if (-not $Project.PSObject.Properties['ControlDirectory'] -or -not $Project.ControlDirectory) { throw 'Set-StingFixtureKnob needs a project from New-StingFixtureProject.' }
    $file = Join-Path $Project.ControlDirectory "$Service.env"
    $knobs = [ordered]@{}
    if (Test-Path -LiteralPath $file) {
        foreach ($line in Get-Content -LiteralPath $file) { if ($line -match '^(STING_[A-Z_]+)=(.*)$') { $knobs[$Matches[1]] = $Matches[2] } }
    }
    if ($PSBoundParameters.ContainsKey('StartupDelay')) { $knobs['STING_STARTUP_DELAY'] = $StartupDelay.ToString('0.###', $script:Invariant) }
    if ($PSBoundParameters.ContainsKey('NeverHealthy')) { if ($NeverHealthy) { $knobs['STING_NEVER_HEALTHY'] = '1' } else { $knobs.Remove('STING_NEVER_HEALTHY') } }
    if ($PSBoundParameters.ContainsKey('CrashOnStart')) { if ($CrashOnStart) { $knobs['STING_CRASH_ON_START'] = '1' } else { $knobs.Remove('STING_CRASH_ON_START') } }
    if ($PSBoundParameters.ContainsKey('CrashAfter')) { $knobs['STING_CRASH_AFTER'] = $CrashAfter.ToString('0.###', $script:Invariant) }
    if (-not $PSCmdlet.ShouldProcess("$Service ($file)", 'Set fixture knobs')) { return }
    $lines = @("# fixture knobs for $Service (Set-StingFixtureKnob)") + @($knobs.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" })
    # Write beside, then rename: a container starting right now reads the old or the new file, never half.
    $tmp = "$file.$PID.tmp"
    [System.IO.File]::WriteAllText($tmp, (($lines -join "`n") + "`n"))
    Move-Item -LiteralPath $tmp -Destination $file -Force
    [pscustomobject]@{ Service = $Service; Path = $file; Knobs = [pscustomobject]$knobs }
}

function Clear-StingFixtureKnob {
    <# .SYNOPSIS Removes the control files of the named services (default: all). Effective at next start. #>
    [CmdletBinding(SupportsShouldProcess)]
    param([Parameter(Mandatory)] $Project, [string[]] $Service)
    $Project = Resolve-StingProject $Project
    if (-not $Project.PSObject.Properties['ControlDirectory'] -or -not $Project.ControlDirectory) { throw 'Clear-StingFixtureKnob needs a project from New-StingFixtureProject.' }
    if (-not (Test-Path -LiteralPath $Project.ControlDirectory)) { return }
    foreach ($f in Get-ChildItem -LiteralPath $Project.ControlDirectory -Filter '*.env' -File -Force) {
        if ($Service -and $f.BaseName -notin $Service) { continue }
        if ($PSCmdlet.ShouldProcess($f.FullName, 'Remove fixture knobs')) { Remove-Item -LiteralPath $f.FullName -Force }
    }
}

function Get-StingFixtureDbStarts {
    <#
    .SYNOPSIS
        The start counter the db service keeps in its named volume (/data/starts), via docker exec.
        Retries (bounded) while the container is not running yet.
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param([Parameter(Mandatory)] $Project, [string] $Service = 'db', [ValidateRange(1, 600)][int] $TimeoutSec = 15)
    $Project = Resolve-StingProject $Project
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $last = 'no container'
    while ($true) {
        $c = @(Get-StingFixtureContainer -Project $Project -Service $Service | Where-Object State -eq 'running') | Select-Object -First 1
        if ($c) {
            $r = Invoke-StingFixtureDocker -ArgumentList 'exec', $c.Id, 'cat', '/data/starts' -TimeoutSec 15 -AllowFailure
            if ($r.ExitCode -eq 0 -and $r.StdOut.Trim() -match '^\d+$') { return [int]$r.StdOut.Trim() }
            $last = "docker exec: exit $($r.ExitCode) $($r.StdErr.Trim())"
        }
        if ($clock.Elapsed.TotalSeconds -ge $TimeoutSec) { throw "Cannot read /data/starts of $Service in $($Project.ProjectName) within ${TimeoutSec}s: $last" }
        Start-Sleep -Milliseconds 200
    }
}

function Remove-StingProjectContainer {
    # docker rm -f of every container of the project, in one CLI call; returns how many there were.
    param([Parameter(Mandatory)][string] $ProjectName)
    $ids = @((Invoke-StingFixtureDocker -ArgumentList 'ps', '-a', '-q', '--filter', "label=$script:ProjectLabel=$ProjectName" -TimeoutSec 30).StdOut -split '\s+' | Where-Object { $_ })
    if ($ids.Count) { $null = Invoke-StingFixtureDocker -ArgumentList (@('rm', '-f', '-v') + $ids) -TimeoutSec 120 -AllowFailure }
    $ids.Count
}

function Remove-StingFixture {
    <#
    .SYNOPSIS
        Removes the project's containers (docker rm -f: compose v1 stops them level by level, which
        takes 10-40 s on a busy host), then docker-compose down -v --remove-orphans --timeout 5 for
        its volumes and anything else compose made, then whatever is still labelled with the project,
        then the temp directory. Never throws; warns instead.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][AllowNull()] $Project)
    if ($null -eq $Project) { return }
    try { $Project = Resolve-StingProject $Project } catch { Write-Warning "Remove-StingFixture: $($_.Exception.Message)"; return }
    $name = $Project.ProjectName
    if (-not ($name -like "$script:ProjectNamePrefix*")) { Write-Warning "Remove-StingFixture: refusing to remove '$name' (not a $script:ProjectNamePrefix* project)."; return }
    try { $null = Remove-StingProjectContainer -ProjectName $name }
    catch { Write-Warning "Remove-StingFixture: removing the containers of ${name}: $($_.Exception.Message)" }
    try {
        if ($Project.Directory -and $Project.ComposeFile -and (Test-Path -LiteralPath $Project.ComposeFile)) {
            $down = Invoke-StingCompose -Project $Project -ArgumentList 'down', '-v', '--remove-orphans', '--timeout', '5' -TimeoutSec 120 -AllowFailure
            if ($down.ExitCode -ne 0) { Write-Warning "Remove-StingFixture: docker-compose down for $name exited $($down.ExitCode): $($down.StdErr.Trim())" }
        }
    }
    catch { Write-Warning "Remove-StingFixture: docker-compose down for ${name}: $($_.Exception.Message)" }
    try {
        # Whatever compose did not know about (a copy already deleted, a container made by hand).
        $null = Remove-StingProjectContainer -ProjectName $name
        $vols = @((Invoke-StingFixtureDocker -ArgumentList 'volume', 'ls', '-q', '--filter', "label=$script:ProjectLabel=$name" -TimeoutSec 30).StdOut -split '\s+' | Where-Object { $_ })
        if ($vols.Count) { $null = Invoke-StingFixtureDocker -ArgumentList (@('volume', 'rm', '-f') + $vols) -TimeoutSec 60 -AllowFailure }
    }
    catch { Write-Warning "Remove-StingFixture: removing what is left of ${name}: $($_.Exception.Message)" }
    try {
        if ($Project.Directory -and (Test-Path -LiteralPath $Project.Directory) -and
            (Split-Path -Leaf $Project.Directory) -like "$script:ProjectNamePrefix*") {
            Remove-Item -LiteralPath $Project.Directory -Recurse -Force
        }
    }
    catch { Write-Warning "Remove-StingFixture: deleting $($Project.Directory): $($_.Exception.Message)" }
    foreach ($k in @($script:ModelCache.Keys | Where-Object { $_ -like "*|$name" })) { $script:ModelCache.Remove($k) }
}

function Remove-StingFixtureLeftover {
    <#
    .SYNOPSIS
        Removes containers, volumes and temp directories of stingtest-* projects whose owner pid label
        names a process that no longer exists (an interrupted earlier run). Projects labelled with
        another owner host (a test container sharing this engine: its pids mean nothing here) are left
        alone. Returns what it removed.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param()
    $thisHost = [System.Environment]::MachineName
    $owners = @{}       # project -> owner pid (string)
    $foreign = @{}      # project -> $true when owned by another host
    $containers = @{}
    $format = "{{.ID}}`t{{.Label `"$script:ProjectLabel`"}}`t{{.Label `"$script:OwnerPidLabel`"}}`t{{.Label `"$script:OwnerHostLabel`"}}"
    $ps = Invoke-StingFixtureDocker -ArgumentList 'ps', '-a', '--filter', "label=$script:OwnerPidLabel", '--format', $format -TimeoutSec 30
    foreach ($line in ($ps.StdOut -split "`r?`n" | Where-Object { $_ })) {
        $id, $project, $owner, $ownerHost = $line -split "`t"
        if ($project -notlike "$script:ProjectNamePrefix*") { continue }
        $owners[$project] = $owner
        if ($ownerHost -and $ownerHost -ne $thisHost) { $foreign[$project] = $true }
        if (-not $containers[$project]) { $containers[$project] = [System.Collections.Generic.List[string]]::new() }
        $containers[$project].Add($id)
    }
    $volNames = @((Invoke-StingFixtureDocker -ArgumentList 'volume', 'ls', '-q', '--filter', "label=$script:OwnerPidLabel" -TimeoutSec 30).StdOut -split '\s+' | Where-Object { $_ })
    if ($volNames.Count) {
        $vi = Invoke-StingFixtureDocker -ArgumentList (@('volume', 'inspect') + $volNames) -TimeoutSec 30 -AllowFailure
        if ($vi.StdOut.Trim()) {
            foreach ($v in @($vi.StdOut | ConvertFrom-Json -Depth 10)) {
                $project = $v.Labels.$script:ProjectLabel
                if (-not $project -or $project -notlike "$script:ProjectNamePrefix*") { continue }
                $owners[$project] = $v.Labels.$script:OwnerPidLabel
                $ownerHost = if ($v.Labels.PSObject.Properties[$script:OwnerHostLabel]) { $v.Labels.$script:OwnerHostLabel } else { '' }
                if ($ownerHost -and $ownerHost -ne $thisHost) { $foreign[$project] = $true }
            }
        }
    }
    $dirs = @{}
    foreach ($d in Get-ChildItem -LiteralPath ([System.IO.Path]::GetTempPath()) -Directory -Filter "$script:ProjectNamePrefix*" -ErrorAction SilentlyContinue) {
        $envFile = Join-Path $d.FullName '.env'
        if (-not (Test-Path -LiteralPath $envFile)) { continue }
        $line = Select-String -LiteralPath $envFile -Pattern '^STING_TEST_OWNER_PID=(\d+)$' | Select-Object -First 1
        if (-not $line) { continue }
        if (-not $owners.ContainsKey($d.Name)) { $owners[$d.Name] = $line.Matches[0].Groups[1].Value }
        $dirs[$d.Name] = $d.FullName
    }
    foreach ($project in $owners.Keys | Sort-Object) {
        if ($foreign[$project]) { Write-Verbose "Remove-StingFixtureLeftover: $project belongs to another host; left alone."; continue }
        $ownerPid = 0
        [void][int]::TryParse([string]$owners[$project], [ref]$ownerPid)
        if (Test-StingPidAlive $ownerPid) { continue }
        if (-not $PSCmdlet.ShouldProcess("$project (owner pid $ownerPid is gone)", 'Remove fixture leftovers')) { continue }
        $cids = @(if ($containers[$project]) { $containers[$project].ToArray() })
        if ($cids.Count) { $null = Invoke-StingFixtureDocker -ArgumentList (@('rm', '-f', '-v') + $cids) -TimeoutSec 120 -AllowFailure }
        # Volumes compose made for the project, whoever labelled them.
        $vols = @((Invoke-StingFixtureDocker -ArgumentList 'volume', 'ls', '-q', '--filter', "label=$script:ProjectLabel=$project" -TimeoutSec 30).StdOut -split '\s+' | Where-Object { $_ })
        if ($vols.Count) { $null = Invoke-StingFixtureDocker -ArgumentList (@('volume', 'rm', '-f') + $vols) -TimeoutSec 60 -AllowFailure }
        if ($dirs[$project]) { Remove-Item -LiteralPath $dirs[$project] -Recurse -Force -ErrorAction SilentlyContinue }
        [pscustomobject]@{
            PSTypeName = 'StingOps.Test.FixtureLeftover'
            ProjectName = $project; OwnerPid = $ownerPid; Containers = $cids.Count; Volumes = $vols.Count; Directory = $dirs[$project]
        }
    }
}

function Start-StingChildRestart {
    <#
    .SYNOPSIS
        Restart-StingService of the whole project in a child pwsh (Invoke-ChildRestart.ps1), which a test
        can SIGKILL or point at another engine endpoint (-DockerHost). The child inherits this process's
        environment (XDG_STATE_HOME, STING_LOG_DIR). Complete-StingChildRestart collects what it said.
    #>
    param([Parameter(Mandatory)][string] $ModulePath, [Parameter(Mandatory)] $Project, [int] $TimeoutSec, [string] $DockerHost, [string[]] $Name, [string] $StackName)
    $out = Join-Path $Project.Directory "run-$([guid]::NewGuid().ToString('N')).json"
    # This pwsh again: under `dotnet pwsh` the process is the dotnet host running pwsh.dll.
    $psi = [System.Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
    if ((Split-Path -Leaf ([Environment]::ProcessPath)) -like 'dotnet*') { $psi.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
    foreach ($a in '-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Invoke-ChildRestart.ps1'), '-ModulePath', $ModulePath,
        '-ProjectDirectory', $Project.Directory, '-OutputPath', $out, '-TimeoutSec', $TimeoutSec) { $psi.ArgumentList.Add([string]$a) }
    if ($Name) { $psi.ArgumentList.Add('-Name'); $psi.ArgumentList.Add(($Name -join ',')) }
    if ($StackName) { $psi.ArgumentList.Add('-StackName'); $psi.ArgumentList.Add($StackName) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    if ($DockerHost) { $psi.Environment['DOCKER_HOST'] = $DockerHost }
    $p = [System.Diagnostics.Process]::Start($psi)
    [pscustomobject]@{ Process = $p; Output = $out; StdOut = $p.StandardOutput.ReadToEndAsync(); StdErr = $p.StandardError.ReadToEndAsync() }
}

function Wait-StingChildRestartLocked {
    <# Waits (bounded) until the child run holds the project's lock; returns the moment, or $null if it ended first. #>
    param([Parameter(Mandatory)] $Handle, [Parameter(Mandatory)][string] $LockFile, [int] $TimeoutSec = 120)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ([DateTime]::UtcNow -lt $deadline -and -not $Handle.Process.HasExited) {
        if (Test-Path -LiteralPath $LockFile) { return [DateTimeOffset]::UtcNow }
        Start-Sleep -Milliseconds 25
    }
    $null
}

function Complete-StingChildRestart {
    <# Waits (bounded) for the child; returns what it wrote (Output: null when it was killed), its exit code and stderr. #>
    param([Parameter(Mandatory)] $Handle, [int] $TimeoutSec = 600)
    if (-not $Handle.Process.WaitForExit($TimeoutSec * 1000)) {
        $Handle.Process.Kill()
        $null = $Handle.Process.WaitForExit(10000)
        throw "Restart-StingService (pid $($Handle.Process.Id)) did not finish within ${TimeoutSec}s"
    }
    $output = $null
    if (Test-Path -LiteralPath $Handle.Output) {
        $output = Get-Content -LiteralPath $Handle.Output -Raw | ConvertFrom-Json
        Remove-Item -LiteralPath $Handle.Output
    }
    [pscustomobject]@{ ExitCode = $Handle.Process.ExitCode; Output = $output; StdErr = $(if ($Handle.StdErr.Wait(5000)) { $Handle.StdErr.Result.Trim() } else { '' }) }
}

#endregion

Export-ModuleMember -Function Invoke-StingProcess, Invoke-StingFixtureDocker, Initialize-StingFixtureImage, New-StingFixtureProject, Get-StingFixtureService,
    Get-StingFixtureContainer, Wait-StingFixtureHealthy, Start-StingFixture, Set-StingFixtureKnob,
    Clear-StingFixtureKnob, Get-StingFixtureDbStarts, Remove-StingFixture, Remove-StingFixtureLeftover,
    Start-StingChildRestart, Wait-StingChildRestartLocked, Complete-StingChildRestart, Get-StingComposeCli, Test-StingPortFree, Get-StingFreePortPrefix
