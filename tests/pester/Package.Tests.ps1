# The module as users get it from a PowerShell repository: the built module (STINGOPS_MODULE_PATH) is packed with the
# script build.ps1 Package uses (tools/Publish-StingPackage.ps1) into a temporary local file repository, installed
# from there with Install-PSResource in a fresh pwsh, and imported BY NAME in another fresh pwsh. Both children have
# a temporary HOME and XDG_DATA_HOME (PSResourceGet's repository store and the CurrentUser module folder on Linux),
# so neither this machine's repositories nor its installed modules take part. No Docker engine is needed.
BeforeAll {
    if (-not $env:STINGOPS_MODULE_PATH) { throw 'STINGOPS_MODULE_PATH is not set: run the tests through ./build.ps1 Test.' }
    $script:Root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:ModuleDir = Split-Path $env:STINGOPS_MODULE_PATH
    $script:BuiltManifest = Import-PowerShellDataFile $env:STINGOPS_MODULE_PATH
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('stingops-package-' + [guid]::NewGuid().ToString('N'))
    $script:Repository = Join-Path $Work 'repository'
    $script:ChildHome = Join-Path $Work 'home'
    # XDG_DATA_HOME is HOME/.local/share on purpose: pwsh puts XDG_DATA_HOME/powershell/Modules on PSModulePath, but
    # Install-PSResource -Scope CurrentUser installs into HOME/.local/share/powershell/Modules whatever XDG_DATA_HOME
    # says. And the folders must exist: for a missing one .NET answers an empty path, and PSResourceGet and NuGet
    # then write their settings relative to the working directory (the children work in $Work for that reason too).
    $script:ChildData = Join-Path $ChildHome '.local/share'
    New-Item -ItemType Directory -Path $Repository, $ChildData, (Join-Path $ChildHome '.config'), (Join-Path $ChildHome '.cache') -Force | Out-Null

    $script:PackStarted = Get-Date
    $script:Nupkg = & (Join-Path $Root 'tools/Publish-StingPackage.ps1') -ModulePath $ModuleDir -RepositoryPath $Repository
    $script:PackSeconds = ((Get-Date) - $PackStarted).TotalSeconds

    Add-Type -AssemblyName System.IO.Compression.FileSystem
    $zip = [IO.Compression.ZipFile]::OpenRead($Nupkg)
    try {
        $script:Entries = @($zip.Entries | Where-Object { -not $_.FullName.EndsWith('/') } | ForEach-Object { [Uri]::UnescapeDataString($_.FullName) })
        $read = { param($name) $reader = [IO.StreamReader]::new($zip.GetEntry($name).Open()); try { $reader.ReadToEnd() } finally { $reader.Dispose() } }
        $script:PackedLicense = & $read 'LICENSE'
        $script:Nuspec = [xml](& $read 'StingOps.nuspec')
        $packedManifestPath = Join-Path $Work 'packed.psd1'
        Set-Content -LiteralPath $packedManifestPath -Value (& $read 'StingOps.psd1') -NoNewline
        $script:PackedManifest = Import-PowerShellDataFile $packedManifestPath
    }
    finally { $zip.Dispose() }

    # A fresh pwsh (the same one as this, by its own path: `dotnet pwsh` would look for the tool under HOME) with the
    # temporary HOME and data folder, and no PSModulePath of this session: it builds its own, as a new login would.
    function script:Invoke-FreshPwsh([string] $Command) {
        $process = [Environment]::ProcessPath
        $pwsh = if ((Split-Path $process -LeafBase) -eq 'dotnet') { @($process, (Join-Path $PSHOME 'pwsh.dll')) } else { @($process) }
        $names = 'HOME', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'PSModulePath'
        $saved = @{}
        foreach ($name in $names) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
        Push-Location -LiteralPath $Work
        try {
            $env:HOME = $ChildHome
            $env:XDG_DATA_HOME = $ChildData
            $env:XDG_CONFIG_HOME = Join-Path $ChildHome '.config'
            $env:XDG_CACHE_HOME = Join-Path $ChildHome '.cache'
            $env:PSModulePath = $null
            $output = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $Command 2>&1
            [pscustomobject]@{ Exit = $LASTEXITCODE; Output = @($output | ForEach-Object { "$_" }) }
        }
        finally {
            Pop-Location
            foreach ($name in $names) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }
    }

    $script:ChildModules = Join-Path $ChildData 'powershell/Modules'
    $installStarted = Get-Date
    $script:Install = Invoke-FreshPwsh @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Register-PSResourceRepository -Name StingOpsTestLocal -Uri '$Repository'
try { Install-PSResource StingOps -Repository StingOpsTestLocal -TrustRepository -Scope CurrentUser }
finally { Unregister-PSResourceRepository -Name StingOpsTestLocal }
[pscustomobject]@{
    Installed = @(Get-InstalledPSResource StingOps -Scope CurrentUser | ForEach-Object { `$_.InstalledLocation })
    Repositories = @(Get-PSResourceRepository | ForEach-Object Name)
} | ConvertTo-Json -Compress
"@
    $script:Installed = if ($Install.Exit -eq 0) { $Install.Output[-1] | ConvertFrom-Json }

    $script:Use = Invoke-FreshPwsh @"
`$ErrorActionPreference = 'Stop'
`$module = Import-Module StingOps -PassThru
`$plan = @(Get-StingRestartPlan -ComposeFile '$(Join-Path $Root 'tests/fixtures/sting-stack/docker-compose.yml')')
[pscustomobject]@{
    ModuleBase = `$module.ModuleBase
    Version = `$module.Version.ToString()
    Cmdlets = @(`$module.ExportedCmdlets.Keys | Sort-Object)
    Steps = @(`$plan | ForEach-Object { [pscustomobject]@{ Service = `$_.Service; Wave = `$_.Wave; DependsOn = @(`$_.DependsOn) } })
} | ConvertTo-Json -Depth 4 -Compress
"@
    $script:Used = if ($Use.Exit -eq 0) { $Use.Output[-1] | ConvertFrom-Json }
    $script:InstallAndUseSeconds = ((Get-Date) - $installStarted).TotalSeconds
    Write-Host ('Package: packed in {0:n1} s; installed and used in two fresh pwsh in {1:n1} s' -f $PackSeconds, $InstallAndUseSeconds)
}

AfterAll {
    if ($Work) { Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'The StingOps package' -Tag 'Integration', 'Package' {
    It 'is named after the module and its version, in the local repository folder' {
        Split-Path $Nupkg -Leaf | Should -Be "StingOps.$($BuiltManifest.ModuleVersion).nupkg"
        Split-Path $Nupkg | Should -Be (Resolve-Path $Repository).Path
    }

    It 'holds the built module: cmdlets assembly, Dependencies/ with the core, format file, help xml, about_ help, LICENSE' {
        foreach ($file in 'StingOps.psd1', 'StingOps.dll', 'Dependencies/StingOps.Core.dll', 'Dependencies/YamlDotNet.dll',
            'StingOps.format.ps1xml', 'en-US/StingOps.dll-Help.xml', 'en-US/about_StingOps.help.txt', 'LICENSE') {
            $Entries | Should -Contain $file
        }
    }

    It 'holds every file of the built module folder and nothing else but the package''s own parts, nothing of bin/ or obj/' {
        $built = @(Get-ChildItem -LiteralPath $ModuleDir -Recurse -File | ForEach-Object {
                [IO.Path]::GetRelativePath($ModuleDir, $_.FullName).Replace('\', '/') })
        $nugetParts = @($Entries | Where-Object { $_ -match '^(_rels/|package/|\[Content_Types\]\.xml$|StingOps\.nuspec$)' })
        @($Entries | Where-Object { $_ -notin $nugetParts } | Sort-Object) | Should -Be @($built | Sort-Object)
        @($Entries | Where-Object { $_ -match '(^|/)(bin|obj)/' -or $_ -like '*System.Management.Automation.dll' }) | Should -BeNullOrEmpty
    }

    It 'ships the MIT LICENSE of the repository root' {
        $PackedLicense | Should -BeExactly (Get-Content -LiteralPath (Join-Path $Root 'LICENSE') -Raw)
        $PackedLicense | Should -Match '^MIT License'
        $PackedLicense | Should -Match 'Copyright \(c\) 2026 StingOps developers'
    }

    It 'has a manifest tagged PSEdition_Core and Linux, with the module''s other tags' {
        $tags = @($PackedManifest.PrivateData.PSData.Tags)
        foreach ($tag in 'PSEdition_Core', 'Linux', 'Docker', 'Compose', 'Restart', 'Health', 'Operations', 'STING') { $tags | Should -Contain $tag }
        @($Nuspec.package.metadata.tags -split ' ') | Should -Contain 'PSEdition_Core'
    }

    It 'has ReleaseNotes: the newest entry of README.md''s Changelog, as plain text' {
        $expected = & (Join-Path $Root 'tools/Get-StingReleaseNote.ps1') -ReadmePath (Join-Path $Root 'README.md')
        $notes = $PackedManifest.PrivateData.PSData.ReleaseNotes
        $notes | Should -Not -BeNullOrEmpty
        $notes | Should -BeExactly $expected
        $notes | Should -Not -Match '`'
        $first = (Get-Content (Join-Path $Root 'README.md') | Select-String -Pattern '^## Changelog' -Context 0, 3).Context.PostContext |
            Where-Object { $_ -match '^- ' } | Select-Object -First 1
        ($notes -split "`n")[0] | Should -BeExactly (($first -replace '^- ', '') -replace '`', '')
        $Nuspec.package.metadata.releaseNotes | Should -BeExactly $expected
    }
}

Describe 'StingOps installed from a repository' -Tag 'Integration', 'Package' {
    It 'installs with Install-PSResource from the local repository into the CurrentUser module folder of a fresh pwsh' {
        $Install.Exit | Should -Be 0 -Because ($Install.Output -join "`n")
        @($Installed.Installed) | Should -HaveCount 1
        @($Installed.Installed)[0] | Should -BeLike "$ChildModules*"
        Join-Path $ChildModules "StingOps/$($BuiltManifest.ModuleVersion)/StingOps.psd1" | Should -Exist
        Join-Path $ChildModules "StingOps/$($BuiltManifest.ModuleVersion)/LICENSE" | Should -Exist
    }

    It 'leaves no temporary repository registered, and no settings written beside the working directory' {
        $Installed.Repositories | Should -Not -Contain 'StingOpsTestLocal'
        Join-Path $Work 'PSResourceGet' | Should -Not -Exist
        Join-Path $Work 'NuGet' | Should -Not -Exist
        Join-Path $ChildData 'PSResourceGet/PSResourceRepository.xml' | Should -Exist
    }

    It 'imports by name in another fresh pwsh, from the installed folder, with every cmdlet of the manifest' {
        $Use.Exit | Should -Be 0 -Because ($Use.Output -join "`n")
        $Used.ModuleBase | Should -BeLike "$ChildModules/StingOps/*"
        $Used.Version | Should -Be $BuiltManifest.ModuleVersion
        @($Used.Cmdlets) | Should -Be @($BuiltManifest.CmdletsToExport | Sort-Object)
    }

    It 'plans the fixture STING stack: 15 services in dependency waves, vault and db in the first' {
        $steps = @($Used.Steps)
        @($steps.Service | Sort-Object -Unique) | Should -HaveCount 15
        $firstWave = ($steps.Wave | Measure-Object -Minimum).Minimum
        $first = @($steps | Where-Object Wave -eq $firstWave | ForEach-Object Service)
        $first | Should -Contain 'vault'
        $first | Should -Contain 'db'
        @($steps.Wave | Sort-Object -Unique).Count | Should -BeGreaterThan 1
        $waveOf = @{}
        foreach ($step in $steps) { $waveOf[$step.Service] = $step.Wave }
        foreach ($step in $steps) {
            foreach ($dependency in @($step.DependsOn)) { $waveOf[$dependency] | Should -BeLessThan $step.Wave -Because "$($step.Service) waits for $dependency" }
        }
    }
}
