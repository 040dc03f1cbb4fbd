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

    It 'exports the cmdlets of the contract (../shared/CONTRACT.md), no more and no fewer' {
        $contract = 'Get-StingService', 'Get-StingRestartPlan', 'Restart-StingService', 'Start-StingService', 'Stop-StingService',
            'Repair-StingService', 'Wait-StingService', 'Test-StingPrerequisite', 'Test-StingEnvironmentFile', 'Get-StingRestartMetric',
            'Test-StingRestartAlert', 'Export-StingRestartMetric', 'ConvertTo-StingGraph', 'Export-StingRestartReport'
        @($Manifest.CmdletsToExport | Sort-Object) | Should -Be @($contract | Sort-Object)
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

    It 'names every cmdlet with an approved verb, so Import-Module does not warn' {
        $approved = @(Get-Verb | ForEach-Object Verb)
        @($Imported.Cmdlets | Where-Object { ($_ -split '-', 2)[0] -cnotin $approved }) | Should -BeNullOrEmpty
        ($Report -join "`n") | Should -Not -Match 'unapproved verbs'
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

# The four lifecycle verbs share one cmdlet base (StingLifecycleCmdlet): their contract lines, pinned on the built module.
Describe 'The lifecycle verbs <Name>' -Tag 'Unit', 'Module' -ForEach @(
    @{ Name = 'Restart-StingService'; Own = 'Name', 'IncludeDependents', 'Recreate', 'TimeoutSec', 'NoRollback', 'Force', 'MaintenanceWindow', 'BeforeRestart' }
    @{ Name = 'Start-StingService'; Own = 'Name', 'IncludeDependencies', 'TimeoutSec', 'BeforeRestart' }
    @{ Name = 'Stop-StingService'; Own = 'Name', 'IncludeDependents', 'Force' }
    @{ Name = 'Repair-StingService'; Own = 'Name', 'TimeoutSec' }
) {
    BeforeAll {
        Import-Module $ModulePath -Force
        $script:Command = Get-Command -Name $Name -Module StingOps
        $script:Project = 'ComposeFile', 'ProjectDirectory', 'ProjectName', 'Profile', 'ConfigPath', 'StackName'
        $script:Common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
    }

    It 'has the parameters of its contract line and the project parameters, and no others' {
        @($Command.Parameters.Keys | Where-Object { $_ -notin $Common } | Sort-Object) | Should -Be @(($Own + $Project) | Sort-Object)
    }

    It 'takes -Name at position 0, from the pipeline by value and by property name, with wildcards' {
        $name = $Command.Parameters['Name']
        $name.ParameterType | Should -Be ([string[]])
        $attribute = @($name.ParameterSets.Values)[0]
        $attribute.Position | Should -Be 0
        $attribute.ValueFromPipeline | Should -BeTrue
        $attribute.ValueFromPipelineByPropertyName | Should -BeTrue
        @($name.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count | Should -Be 1
    }

    It 'bounds -TimeoutSec to 1..86400 where it has one' {
        if (-not $Command.Parameters.ContainsKey('TimeoutSec')) { return }
        $range = $Command.Parameters['TimeoutSec'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateRangeAttribute] }
        $range.MinRange | Should -Be 1
        $range.MaxRange | Should -Be 86400
    }

    It 'supports -WhatIf and -Confirm at ConfirmImpact Medium and writes StingOps.RestartResult' {
        $Command.Parameters.Keys | Should -Contain 'WhatIf'
        $Command.Parameters.Keys | Should -Contain 'Confirm'
        $attribute = $Command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) | Select-Object -First 1
        $attribute.ConfirmImpact | Should -Be ([System.Management.Automation.ConfirmImpact]::Medium)
        @($Command.OutputType.Name) | Should -Be @('StingOps.RestartResult')
    }
}
