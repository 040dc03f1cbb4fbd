# Pins the module's public face: the built module imports in a fresh pwsh and exports exactly the contract.
BeforeAll {
    $script:ModulePath = $env:STINGOPS_MODULE_PATH
    if (-not $ModulePath) { throw 'STINGOPS_MODULE_PATH is not set: run the tests through ./build.ps1 Test.' }
    $script:Manifest = Import-PowerShellDataFile $ModulePath
}

Describe 'StingOps module manifest' -Tag 'Unit', 'Module' {
    It 'is a valid manifest' {
        { Test-ModuleManifest -Path $ModulePath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'targets PowerShell 7.4+ Core only' {
        $Manifest.CompatiblePSEditions | Should -Be @('Core')
        $Manifest.PowerShellVersion | Should -Be '7.4'
    }

    It 'lists its cmdlets explicitly, without wildcards' {
        $Manifest.CmdletsToExport | Should -Not -Contain '*'
        $Manifest.FunctionsToExport | Should -BeNullOrEmpty
        $Manifest.AliasesToExport | Should -BeNullOrEmpty
    }

    It 'ships the cmdlets assembly at the root and the engine in Dependencies, never System.Management.Automation' {
        $dir = Split-Path $ModulePath
        Join-Path $dir 'StingOps.dll' | Should -Exist
        Join-Path $dir 'Dependencies/StingOps.Core.dll' | Should -Exist
        Join-Path $dir 'Dependencies/YamlDotNet.dll' | Should -Exist
        Join-Path $dir 'StingOps.Core.dll' | Should -Not -Exist
        Get-ChildItem $dir -Recurse -Filter 'System.Management.Automation.dll' | Should -BeNullOrEmpty
    }

    It 'stamps the manifest version into the assembly' {
        $dll = Join-Path (Split-Path $ModulePath) 'StingOps.dll'
        [Reflection.AssemblyName]::GetAssemblyName($dll).Version.ToString(3) | Should -Be $Manifest.ModuleVersion
    }
}

Describe 'Importing StingOps in a fresh pwsh' -Tag 'Unit', 'Module' {
    BeforeAll {
        $script:Report = & dotnet pwsh -NoProfile -NonInteractive -Command @"
`$ErrorActionPreference = 'Stop'
`$m = Import-Module '$ModulePath' -PassThru
[pscustomobject]@{
    Cmdlets = @(`$m.ExportedCmdlets.Keys | Sort-Object)
    Formats = @(`$m.ExportedFormatFiles | ForEach-Object { Split-Path `$_ -Leaf })
    Version = `$m.Version.ToString()
    CoreContext = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext([StingOps.ServiceInfo].Assembly).Name
    Help = (Get-Help about_StingOps | Out-String).Length
    FormatErrors = @(Get-FormatData -TypeName 'StingOps.*' -ErrorAction SilentlyContinue).Count
} | ConvertTo-Json -Compress
"@ 2>&1
        $script:Imported = ($Report | Select-Object -Last 1) | ConvertFrom-Json
    }

    It 'imports without error' {
        $LASTEXITCODE | Should -Be 0 -Because ($Report -join "`n")
    }

    It 'exports exactly the cmdlets of the manifest' {
        $Imported.Cmdlets | Should -Be ($Manifest.CmdletsToExport | Sort-Object)
    }

    It 'loads its format file with one view per output type' {
        $Imported.Formats | Should -Contain 'StingOps.format.ps1xml'
        $Imported.FormatErrors | Should -BeGreaterOrEqual 8
    }

    It 'has an about_StingOps help topic' {
        $Imported.Help | Should -BeGreaterThan 100
    }
    # Import beside other versions of YamlDotNet / Docker.DotNet, in both orders: Isolation.Tests.ps1.
}
