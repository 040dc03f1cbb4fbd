# Assembly isolation: StingOps loads its YamlDotNet, Docker.DotNet and their dependencies in a private load
# context, so it works beside other versions of them loaded by another module (powershell-yaml ships
# YamlDotNet), whichever is imported first. Each case runs in a fresh pwsh, as users import modules.
BeforeAll {
    $script:ModulePath = $env:STINGOPS_MODULE_PATH
    if (-not $ModulePath) { throw 'STINGOPS_MODULE_PATH is not set: run the tests through ./build.ps1 Test.' }
    # tests/pester/PesterPackage.csproj downloads these next to Pester.
    $nuget = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
    $script:OtherYaml = Join-Path $nuget 'yamldotnet/13.7.1/lib/netstandard2.0/YamlDotNet.dll'
    $script:OtherDocker = Join-Path $nuget 'docker.dotnet/3.125.15/lib/netstandard2.1/Docker.DotNet.dll'
    $script:OtherLogging = Join-Path $nuget 'microsoft.extensions.logging.abstractions/6.0.0/lib/net6.0/Microsoft.Extensions.Logging.Abstractions.dll'
    $script:Fixture = Resolve-Path (Join-Path $PSScriptRoot '../fixtures/sting-stack')

    # Loading the other copy is what another module's import does; using it proves it is the one in effect.
    $script:LoadOtherYaml = @"
Add-Type -Path '$OtherYaml'
`$doc = [YamlDotNet.Serialization.Deserializer]::new().Deserialize[object]('answer: 42')
`$report.OtherYaml = [YamlDotNet.Serialization.Deserializer].Assembly.GetName().Version.ToString()
`$report.OtherYamlWorks = `$doc['answer'] -eq '42'
"@
    $script:LoadOtherDocker = @"
Add-Type -Path '$OtherLogging'
Add-Type -Path '$OtherDocker'
`$report.OtherLogging = [Microsoft.Extensions.Logging.Abstractions.NullLogger].Assembly.GetName().Version.ToString()
`$client = [Docker.DotNet.DockerClientConfiguration]::new([uri]'unix:///var/run/docker.sock').CreateClient()
`$report.OtherDocker = [Docker.DotNet.DockerClient].Assembly.GetName().Version.ToString()
`$report.OtherDockerWorks = [bool]`$client.System.GetVersionAsync().GetAwaiter().GetResult().APIVersion
"@
    $script:UseStingOps = @"
`$report.Plan += @(Get-StingRestartPlan -ProjectDirectory '$Fixture').Count
`$report.Services += @(Get-StingService -ProjectDirectory '$Fixture' -ProjectName 'stingops-isolation-probe').Count
"@

    function script:Invoke-Scenario([string[]] $Steps) {
        $script = @"
`$ErrorActionPreference = 'Stop'
`$report = @{ Plan = @(); Services = @() }
$($Steps -join "`n")
`$private = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'StingOps.Dependencies'
`$report.StingYaml = @(`$private.Assemblies | Where-Object { `$_.GetName().Name -eq 'YamlDotNet' } | ForEach-Object { `$_.GetName().Version.ToString() })
`$report.StingDocker = @(`$private.Assemblies | Where-Object { `$_.GetName().Name -eq 'Docker.DotNet' } | ForEach-Object { `$_.GetName().Version.ToString() })
`$report | ConvertTo-Json -Compress
"@
        $out = & dotnet pwsh -NoProfile -NonInteractive -Command $script 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        ($out | Select-Object -Last 1) | ConvertFrom-Json
    }
}

Describe 'StingOps beside another YamlDotNet' -Tag 'Integration', 'Isolation' {
    It 'works when the other YamlDotNet (13.7.1) was loaded first' {
        $r = Invoke-Scenario @($LoadOtherYaml, "Import-Module '$ModulePath'", $UseStingOps)
        $r.OtherYaml | Should -Be '13.0.0.0'
        $r.OtherYamlWorks | Should -BeTrue
        $r.StingYaml | Should -Be @('16.0.0.0')
        $r.Plan | Should -Be @(15)
        $r.Services | Should -Be @(19)
    }

    It 'works when StingOps was imported and used first, and the other YamlDotNet still works after it' {
        $r = Invoke-Scenario @("Import-Module '$ModulePath'", $UseStingOps, $LoadOtherYaml, $UseStingOps)
        $r.OtherYaml | Should -Be '13.0.0.0'
        $r.OtherYamlWorks | Should -BeTrue
        $r.StingYaml | Should -Be @('16.0.0.0')
        $r.Plan | Should -Be @(15, 15)
    }
}

Describe 'StingOps beside another Docker.DotNet and Logging.Abstractions' -Tag 'Integration', 'Isolation' {
    It 'works when Docker.DotNet 3.125 and Logging.Abstractions 6 were loaded first' {
        $r = Invoke-Scenario @($LoadOtherDocker, "Import-Module '$ModulePath'", $UseStingOps)
        $r.OtherDocker | Should -Match '^3\.125\.'
        $r.OtherLogging | Should -Be '6.0.0.0'
        $r.OtherDockerWorks | Should -BeTrue
        $r.StingDocker | Should -Be @('4.3.0.0')
        $r.Services | Should -Be @(19)
    }

    It 'works when StingOps talked to the engine first, and the other client still works after it' {
        $r = Invoke-Scenario @("Import-Module '$ModulePath'", $UseStingOps, $LoadOtherDocker, $UseStingOps)
        $r.OtherDocker | Should -Match '^3\.125\.'
        $r.OtherDockerWorks | Should -BeTrue
        $r.StingDocker | Should -Be @('4.3.0.0')
        $r.Services | Should -Be @(19, 19)
    }
}
