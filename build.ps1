#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests, demonstrates and benchmarks the StingOps module.
.DESCRIPTION
    Build  assembles an importable module in module/StingOps: the cmdlets assembly at the root, StingOps.Core
           and its dependencies in Dependencies/ (loaded in a private AssemblyLoadContext). On Linux the assemblies
           are ReadyToRun images for .NET 10 (tools/ReadyToRun), still net8.0 IL underneath; -NoReadyToRun skips that.
           The built manifest gets PSData.ReleaseNotes from README.md's Changelog; LICENSE is copied beside it.
    Test   builds, brings up the modern engine leg (tools/test-engine.sh: dockerd 26.1 + compose v2), runs xUnit,
           then Pester against the BUILT module in a fresh pwsh, then a short chaos soak (-Cycles, default 10,
           with the fixed -Seed; -Cycles 0 skips it); then switches to the legacy leg (Docker 20.10 +
           docker-compose v1) for the Pester tests tagged Legacy (a smoke: the fixture restart, -Recreate with
           rollback, drift, pre-flight). -Leg Modern or -Leg Legacy runs one leg only (Legacy: its smoke).
           An engine chosen with DOCKER_HOST (other than the default socket) is used as it is, for one leg.
           Prints "N passed, N failed, N skipped" for xUnit and for Pester, then alone on
           the last line the totals "N passed, N failed, N skipped (S s)" (the soak counts as one check), and
           exits non-zero on any failure. With $env:CI -eq 'true' a skipped integration check is a failure,
           named in the output: any skipped xUnit test (the skippable ones are the [IntegrationFact] tests,
           trait Category=Integration, which skip only when no engine answers), any skipped Pester test
           inside a block tagged Integration, and a soak skipped with -Cycles 0.
    Package builds, then packs the module as the .nupkg PowerShell repositories serve, with Publish-PSResource into
           the local file repository out/repository (tools/Publish-StingPackage.ps1), and prints its path.
    Demo   shows what the module does on the fixture STING stack (brought up on the local engine if needed,
           left up afterwards); Demo -Cleanup removes everything the demo created.
    Bench  runs the benchmarks in bench/ and prints ratios measured in the same run.
    Soak   runs the chaos soak (-Cycles, -Seed).
    Clean  removes build output.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Package', 'Demo', 'Bench', 'Soak', 'Clean')]
    [string] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    # Pester tags to run (default: all).
    [string[]] $Tag,
    # Pester tags to skip.
    [string[]] $ExcludeTag,
    # Demo: remove the demo stack and everything else the demo created, instead of running it.
    [switch] $Cleanup,
    # Soak cycles (Soak; also the soak at the end of Test, where 0 skips it).
    [ValidateRange(0, 10000)]
    [int] $Cycles = 10,
    # The soak's seed: a fixed one makes Test's soak the same schedule of faults every run.
    [int] $Seed = 1,
    # The engine leg(s): Modern (dockerd 26.1 + compose v2, the default everywhere), Legacy (Docker 20.10 +
    # docker-compose v1); Test runs Both by default: everything on Modern, then the Legacy smoke.
    [ValidateSet('Modern', 'Legacy', 'Both')]
    [string] $Leg,
    # Build: leave the module's assemblies IL only (no ReadyToRun images for .NET 10).
    [switch] $NoReadyToRun
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$Root = $PSScriptRoot
$ModuleDir = Join-Path $Root 'module/StingOps'
$OutDir = Join-Path $Root 'out'

function Invoke-Native {
    param([string] $What, [scriptblock] $Command)
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

function Get-ModuleVersion {
    (Import-PowerShellDataFile (Join-Path $Root 'StingOps.psd1')).ModuleVersion
}

function Set-ReleaseNote {
    <# Writes the newest entry of README.md's Changelog (tools/Get-StingReleaseNote.ps1), as plain text, into the
       PSData.ReleaseNotes = '' placeholder of the built manifest; the source manifest keeps the placeholder. #>
    param([Parameter(Mandatory)] [string] $ManifestPath)
    $notes = & (Join-Path $Root 'tools/Get-StingReleaseNote.ps1') -ReadmePath (Join-Path $Root 'README.md')
    $quoted = "'" + [System.Management.Automation.Language.CodeGeneration]::EscapeSingleQuotedStringContent($notes) + "'"
    $placeholder = [regex] "(?m)^(\s*ReleaseNotes\s*=\s*)''"
    $text = Get-Content -LiteralPath $ManifestPath -Raw
    if (-not $placeholder.IsMatch($text)) { throw "$ManifestPath has no ReleaseNotes = '' placeholder in PSData." }
    $text = $placeholder.Replace($text, { param($m) $m.Groups[1].Value + $quoted }, 1)
    Set-Content -LiteralPath $ManifestPath -Value $text -NoNewline -Encoding utf8NoBOM
}

function Invoke-Build {
    $version = Get-ModuleVersion
    $publish = Join-Path $OutDir 'publish'
    if (Test-Path $publish) { Remove-Item $publish -Recurse -Force }
    Invoke-Native 'dotnet publish' {
        dotnet publish (Join-Path $Root 'src/StingOps/StingOps.csproj') -c $Configuration -o $publish `
            -p:Version=$version --nologo -v quiet
    }

    # ReadyToRun images of the same assemblies, compiled for .NET 10 (tools/ReadyToRun says why a project of its own),
    # replace the IL-only ones: a cold import and first call jit far fewer methods. Only on Linux (the module's platform);
    # elsewhere, or with -NoReadyToRun, the module is IL only, as the assemblies run the same either way.
    if ($IsLinux -and -not $NoReadyToRun) {
        $r2r = Join-Path $OutDir 'publish-r2r'
        if (Test-Path $r2r) { Remove-Item $r2r -Recurse -Force }
        $rid = 'linux-' + [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString().ToLowerInvariant()
        Invoke-Native 'dotnet publish (ReadyToRun)' {
            dotnet publish (Join-Path $Root 'tools/ReadyToRun/StingOps.ReadyToRun.csproj') -c $Configuration -o $r2r -r $rid `
                -p:Version=$version --nologo -v quiet
        }
        foreach ($file in Get-ChildItem $publish -File -Filter '*.dll') {
            $image = Join-Path $r2r $file.Name
            if (Test-Path $image) { Copy-Item $image $file.FullName -Force }
        }
    }

    if (Test-Path $ModuleDir) { Remove-Item $ModuleDir -Recurse -Force }
    $deps = New-Item -ItemType Directory -Path (Join-Path $ModuleDir 'Dependencies') -Force
    foreach ($file in Get-ChildItem $publish -File) {
        if ($file.Name -like 'StingOps.dll' -or $file.Name -like 'StingOps.pdb') {
            Copy-Item $file.FullName $ModuleDir
        }
        elseif ($file.Extension -in '.dll', '.pdb') {
            Copy-Item $file.FullName $deps.FullName
        }
    }
    if (Test-Path (Join-Path $deps 'System.Management.Automation.dll')) {
        throw 'System.Management.Automation.dll must never ship in the module.'
    }
    Copy-Item (Join-Path $Root 'StingOps.psd1') $ModuleDir
    Set-ReleaseNote (Join-Path $ModuleDir 'StingOps.psd1')
    Copy-Item (Join-Path $Root 'LICENSE') $ModuleDir
    Copy-Item (Join-Path $Root 'module/*.ps1xml') $ModuleDir
    Copy-Item (Join-Path $Root 'module/en-US') $ModuleDir -Recurse
    & (Join-Path $Root 'tools/New-StingMamlHelp.ps1') -SourceDirectory (Join-Path $Root 'module/help') `
        -OutputPath (Join-Path $ModuleDir 'en-US/StingOps.dll-Help.xml') -ModuleManifest (Join-Path $ModuleDir 'StingOps.psd1')
    Write-Host "Built StingOps $version -> $ModuleDir"
}

function Assert-Engine {
    <# Brings up the engine of the leg (tools/test-engine.sh) and tells the tests which leg it is
       (STINGOPS_ENGINE_LEG: the compose CLI they use). An engine chosen with DOCKER_HOST is used as it is. #>
    param([ValidateSet('Modern', 'Legacy')][string] $Leg = 'Modern')
    $env:STINGOPS_ENGINE_LEG = $Leg.ToLowerInvariant()
    if ($env:DOCKER_HOST -and $env:DOCKER_HOST -ne 'unix:///var/run/docker.sock') {
        docker info *> $null
        if ($LASTEXITCODE -ne 0) { throw "No Docker engine answers at DOCKER_HOST=$env:DOCKER_HOST." }
        Write-Host "Using the engine at DOCKER_HOST=$env:DOCKER_HOST as the $Leg leg."
        return
    }
    & bash (Join-Path $Root 'tools/test-engine.sh') --leg $env:STINGOPS_ENGINE_LEG
    if ($LASTEXITCODE -ne 0) {
        throw "tools/test-engine.sh could not bring up the $Leg engine leg (exit $LASTEXITCODE). " +
        'Tests, the demo and the benchmarks need a Docker engine: run as root on Debian (the script fetches and starts one), or start an engine and set DOCKER_HOST.'
    }
}

function Get-PesterModulePath {
    $nugetRoot = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
    $path = Join-Path $nugetRoot 'pester/5.7.1/tools/Pester.psd1'
    if (-not (Test-Path $path) -or -not (Test-Path (Join-Path $nugetRoot 'yamldotnet/13.7.1')) -or
        -not (Test-Path (Join-Path $nugetRoot 'docker.dotnet/3.125.15'))) {
        Invoke-Native 'restoring Pester' { dotnet restore (Join-Path $Root 'tests/pester/PesterPackage.csproj') --nologo -v quiet }
    }
    $path
}

function Invoke-XUnit {
    $results = Join-Path $OutDir 'xunit'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    dotnet test (Join-Path $Root 'tests/StingOps.Core.Tests/StingOps.Core.Tests.csproj') -c $Configuration --nologo `
        --logger 'trx;LogFileName=xunit.trx' --logger 'console;verbosity=minimal' --results-directory $results | Out-Host
    $exit = $LASTEXITCODE
    $trx = Join-Path $results 'xunit.trx'
    if (-not (Test-Path $trx)) { return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; SkippedIntegration = @(); Note = "xUnit produced no results (exit $exit)" } }
    $run = ([xml](Get-Content $trx -Raw)).TestRun
    $counters = $run.ResultSummary.Counters
    # The trx counter notExecuted stays 0 for xUnit's skipped tests: count the results themselves.
    $skipped = @($run.Results.UnitTestResult | Where-Object outcome -eq 'NotExecuted' | ForEach-Object testName | Sort-Object)
    [pscustomobject]@{
        Passed = [int]$counters.passed
        Failed = [int]$counters.failed + [int]$counters.error + ($exit -ne 0 -and [int]$counters.failed -eq 0 ? 1 : 0)
        Skipped = $skipped.Count
        # Only [IntegrationFact] tests skip (when no engine answers); CI must not pass without them.
        SkippedIntegration = $skipped
        FailedNames = @($run.Results.UnitTestResult | Where-Object outcome -eq 'Failed' | ForEach-Object testName | Sort-Object)
        Note = ''
    }
}

function Invoke-SoakCheck {
    # A fresh pwsh, as for Pester, so a soak that dies cannot take the summary with it. Its result file is a build
    # artefact (out/), not one of the benchmark runs kept in bench/results.
    if ($Cycles -eq 0) { return [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 1; SkippedIntegration = @('soak (-Cycles 0)'); Note = 'skipped (-Cycles 0)' } }
    $resultFile = Join-Path $OutDir "soak-seed$Seed.json"
    dotnet pwsh -NoProfile -File (Join-Path $Root 'bench/Invoke-Soak.ps1') -ModulePath (Join-Path $ModuleDir 'StingOps.psd1') `
        -Cycles $Cycles -Seed $Seed -ResultPath $resultFile | Out-Host
    $exit = $LASTEXITCODE
    $note = "($Cycles cycles, seed $Seed; $resultFile)"
    if ($exit -eq 0) { [pscustomobject]@{ Passed = 1; Failed = 0; Skipped = 0; SkippedIntegration = @(); Note = $note } }
    else { [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; SkippedIntegration = @(); Note = "$note exit $exit" } }
}

function Invoke-PesterTests {
    param([string[]] $OnlyTag = $Tag, [string] $Name = 'pester')
    $resultFile = Join-Path $OutDir "$Name-summary.json"
    if (Test-Path $resultFile) { Remove-Item $resultFile }
    $runner = Join-Path $Root 'tests/pester/Invoke-StingPester.ps1'
    $args = @('-NoProfile', '-File', $runner, '-PesterPath', (Get-PesterModulePath), '-ModulePath', (Join-Path $ModuleDir 'StingOps.psd1'),
        '-SummaryPath', $resultFile)
    if ($OnlyTag) { $args += @('-Tag', ($OnlyTag -join ',')) }
    if ($ExcludeTag) { $args += @('-ExcludeTag', ($ExcludeTag -join ',')) }
    # A fresh pwsh: the tests must see the module exactly as users import it.
    dotnet pwsh @args | Out-Host
    if (-not (Test-Path $resultFile)) { return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; SkippedIntegration = @() } }
    $summary = Get-Content $resultFile -Raw | ConvertFrom-Json
    [pscustomobject]@{
        Passed = [int]$summary.Passed
        Failed = [int]$summary.Failed
        Skipped = [int]$summary.Skipped
        SkippedIntegration = @($summary.SkippedIntegration | Where-Object { $_ })
        FailedNames = @($summary.FailedNames | Where-Object { $_ })
    }
}

function Resolve-CiSkip {
    <#
    .SYNOPSIS
        In CI ($env:CI -eq 'true') a skipped integration check is a failure: it moves from Skipped to Failed and
        is named, so a run without an engine cannot end green.
    #>
    param([Parameter(Mandatory)] $Counts, [Parameter(Mandatory)] [string] $Suite)
    $names = @($Counts.SkippedIntegration)
    if ($env:CI -ne 'true') {
        foreach ($name in $names) { Write-Host "${Suite}: skipped: $name" }
        return $Counts
    }
    foreach ($name in $names) { Write-Host "${Suite}: skipped in CI, counted as failed: $name" }
    $Counts.Failed += $names.Count
    $Counts.Skipped = [Math]::Max(0, $Counts.Skipped - $names.Count)
    $Counts
}

function Format-Count($Counts) { '{0} passed, {1} failed, {2} skipped' -f $Counts.Passed, $Counts.Failed, $Counts.Skipped }

switch ($Task) {
    'Build' { Invoke-Build }
    'Package' {
        Invoke-Build
        $nupkg = & (Join-Path $Root 'tools/Publish-StingPackage.ps1') -ModulePath $ModuleDir -RepositoryPath (Join-Path $OutDir 'repository')
        Write-Host "Packaged StingOps $(Get-ModuleVersion) -> $nupkg"
    }
    'Clean' {
        foreach ($path in @($OutDir, $ModuleDir) + (Get-ChildItem $Root -Recurse -Directory -Include bin, obj | Select-Object -ExpandProperty FullName)) {
            if (Test-Path $path) { Remove-Item $path -Recurse -Force }
        }
        Write-Host 'Cleaned.'
    }
    'Test' {
        $started = Get-Date
        $legs = if ($Leg -and $Leg -ne 'Both') { @($Leg) } elseif ($env:DOCKER_HOST -and $env:DOCKER_HOST -ne 'unix:///var/run/docker.sock') { @('Modern') } else { @('Modern', 'Legacy') }
        Invoke-Build
        $none = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0; Note = ''; SkippedIntegration = @() }
        $xunit = $none; $pester = $none; $soak = $none; $legacy = $none
        if ('Modern' -in $legs) {
            Assert-Engine Modern
            $xunit = Invoke-XUnit
            $pester = Invoke-PesterTests
            $soak = Invoke-SoakCheck
        }
        if ('Legacy' -in $legs) {
            Assert-Engine Legacy
            $legacy = Invoke-PesterTests -OnlyTag 'Legacy' -Name 'pester-legacy'
        }
        Write-Host ''
        $xunit = Resolve-CiSkip $xunit 'xUnit'
        $pester = Resolve-CiSkip $pester 'Pester'
        $soak = Resolve-CiSkip $soak 'Soak'
        $legacy = Resolve-CiSkip $legacy 'Pester (legacy leg)'
        $all = @($xunit, $pester, $soak, $legacy)
        $passed = ($all | Measure-Object Passed -Sum).Sum
        $failed = ($all | Measure-Object Failed -Sum).Sum
        $skipped = ($all | Measure-Object Skipped -Sum).Sum
        if ('Modern' -in $legs) {
            Write-Host "xUnit:  $(Format-Count $xunit) $($xunit.Note)"
            Write-Host "Pester: $(Format-Count $pester)"
            Write-Host "Soak:   $(if ($soak.Failed) { 'failed' } elseif ($soak.Passed) { 'passed' } else { 'not run' }) $($soak.Note)"
        }
        if ('Legacy' -in $legs) { Write-Host "Pester, legacy leg (Docker 20.10 + docker-compose v1, tag Legacy): $(Format-Count $legacy)" }
        foreach ($name in @($xunit.FailedNames) | Where-Object { $_ }) { Write-Host "xUnit failed: $name" }
        foreach ($name in @($pester.FailedNames) + @($legacy.FailedNames) | Where-Object { $_ }) { Write-Host "Pester failed: $name" }
        # The last line, alone, is the verdict scripts parse: "N passed, N failed, N skipped (S s)".
        Write-Host ('{0} passed, {1} failed, {2} skipped ({3:n0} s)' -f $passed, $failed, $skipped, ((Get-Date) - $started).TotalSeconds)
        if ($failed -gt 0) { exit 1 }
    }
    'Demo' {
        if (-not $Cleanup) { Invoke-Build }
        Assert-Engine $(if ($Leg -eq 'Legacy') { 'Legacy' } else { 'Modern' })
        & (Join-Path $Root 'examples/demo.ps1') -ModulePath (Join-Path $ModuleDir 'StingOps.psd1') -Cleanup:$Cleanup
    }
    'Bench' {
        Invoke-Build
        Assert-Engine $(if ($Leg -eq 'Legacy') { 'Legacy' } else { 'Modern' })
        & (Join-Path $Root 'bench/Invoke-Bench.ps1') -ModulePath (Join-Path $ModuleDir 'StingOps.psd1')
    }
    'Soak' {
        Invoke-Build
        Assert-Engine $(if ($Leg -eq 'Legacy') { 'Legacy' } else { 'Modern' })
        & (Join-Path $Root 'bench/Invoke-Soak.ps1') -ModulePath (Join-Path $ModuleDir 'StingOps.psd1') -Cycles $Cycles -Seed $Seed
    }
}
