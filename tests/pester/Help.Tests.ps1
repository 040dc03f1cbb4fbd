# Pins the help of the BUILT module: every exported cmdlet has MAML help (tools/New-StingMamlHelp.ps1,
# run by build.ps1) with a real synopsis, a description, examples and a description of every parameter.
BeforeDiscovery {
    $script:CmdletNames = if ($env:STINGOPS_MODULE_PATH) { @((Import-PowerShellDataFile $env:STINGOPS_MODULE_PATH).CmdletsToExport) } else { @() }
}

BeforeAll {
    $script:ModulePath = $env:STINGOPS_MODULE_PATH
    if (-not $ModulePath) { throw 'STINGOPS_MODULE_PATH is not set: run the tests through ./build.ps1 Test.' }
    Import-Module $ModulePath -Force
    $script:CommonParameters = [System.Management.Automation.Cmdlet]::CommonParameters
    $script:RepoRoot = Resolve-Path (Join-Path $PSScriptRoot '../..')

    function script:Get-Text([object] $Items) {
        (@($Items | Where-Object { $_ } | ForEach-Object { if ($_.PSObject.Properties['Text']) { $_.Text } else { [string]$_ } }) -join "`n").Trim()
    }
}

Describe 'Help of <_>' -Tag 'Unit', 'Help' -ForEach $CmdletNames {
    BeforeAll {
        $script:Name = $_
        $script:Command = Get-Command -Name $Name -Module StingOps
        $script:Help = Get-Help -Name $Name -Full
        # -WhatIf and -Confirm are described too: only the always-present common parameters are left out.
        $script:OwnParameters = @($Command.Parameters.Keys | Where-Object { $_ -notin $CommonParameters })
    }

    It 'has a synopsis of its own, not the generated syntax line' {
        $Help.Synopsis | Should -Not -BeNullOrEmpty
        $Help.Synopsis.Trim() | Should -Not -Match ('^' + [regex]::Escape($Name) + '(\s|$)')
        $Help.Synopsis | Should -Not -Match 'CommonParameters'
    }

    It 'has a description' {
        Get-Text $Help.description | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples, each with code and remarks' {
        $examples = @($Help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $example.code | Should -Not -BeNullOrEmpty -Because $example.title
            Get-Text $example.remarks | Should -Not -BeNullOrEmpty -Because $example.title
        }
    }

    It 'describes every parameter' {
        $undescribed = foreach ($parameter in $OwnParameters) {
            $entry = @($Help.parameters.parameter) | Where-Object name -eq $parameter
            if (-not $entry -or -not (Get-Text $entry.description)) { $parameter }
        }
        $undescribed | Should -BeNullOrEmpty -Because 'every parameter needs a description in module/help'
    }

    It 'shows the parameters of the built cmdlet in its syntax' {
        $inSyntax = @($Help.syntax.syntaxItem.parameter.name | Sort-Object -Unique)
        $inSyntax | Should -Be @($OwnParameters | Sort-Object -Unique)
        @($Help.syntax.syntaxItem).Count | Should -Be @($Command.ParameterSets).Count
    }

    It 'describes each output type the cmdlet declares' {
        $described = @($Help.returnValues.returnValue | ForEach-Object { $_.type.name })
        foreach ($type in @($Command.OutputType.Name)) {
            $described | Should -Contain $type
        }
        foreach ($value in @($Help.returnValues.returnValue)) {
            Get-Text $value.description | Should -Not -BeNullOrEmpty -Because $value.type.name
        }
    }

    It 'answers Get-Help -Parameter with the description' {
        $first = $OwnParameters[0]
        Get-Text (Get-Help -Name $Name -Parameter $first).description | Should -Not -BeNullOrEmpty
    }
}

Describe 'The StingOps help file' -Tag 'Unit', 'Help' {
    It 'ships as en-US/StingOps.dll-Help.xml beside StingOps.dll, as MAML' {
        $file = Join-Path (Split-Path $ModulePath) 'en-US/StingOps.dll-Help.xml'
        $file | Should -Exist
        $xml = [xml](Get-Content -LiteralPath $file -Raw)
        $xml.helpItems.schema | Should -Be 'maml'
        $names = @($xml.helpItems.command | ForEach-Object { $_.details.name })
        $names | Sort-Object | Should -Be @((Import-PowerShellDataFile $ModulePath).CmdletsToExport | Sort-Object)
    }

    It 'has a help source for every cmdlet of the contract' {
        $contract = 'Get-StingService', 'Get-StingRestartPlan', 'Restart-StingService', 'Wait-StingService',
            'Test-StingPrerequisite', 'Test-StingEnvironmentFile', 'Get-StingRestartMetric', 'Test-StingRestartAlert',
            'Export-StingRestartMetric'
        foreach ($name in $contract) {
            Join-Path $RepoRoot "module/help/$name.help.psd1" | Should -Exist
        }
    }

    It 'is not generated when a cmdlet has no help file or a parameter no description' {
        $source = Join-Path $TestDrive 'help'
        Copy-Item (Join-Path $RepoRoot 'module/help') $source -Recurse
        Remove-Item (Join-Path $source 'Wait-StingService.help.psd1')
        Set-Content (Join-Path $source 'Get-StingService.help.psd1') @'
@{
    Synopsis = 'Gets services.'
    Description = 'Gets the services.'
    Parameters = @{ Name = 'The services.' }
    Outputs = @(@{ Type = 'StingOps.ServiceInfo'; Description = 'One per service.' })
    Examples = @(
        @{ Title = 'All'; Code = 'Get-StingService'; Remarks = 'All services.' }
        @{ Title = 'One'; Code = 'Get-StingService db'; Remarks = 'One service.' }
    )
}
'@
        $output = Join-Path $TestDrive 'en-US/StingOps.dll-Help.xml'
        $generator = Join-Path $RepoRoot 'tools/New-StingMamlHelp.ps1'
        $thrown = { & $generator -SourceDirectory $source -OutputPath $output -ModuleManifest $ModulePath } | Should -Throw -PassThru
        $thrown.Exception.Message | Should -Match 'Wait-StingService: no help file'
        $thrown.Exception.Message | Should -Match 'Get-StingService: parameter -Offline has no description'
        $output | Should -Not -Exist
    }
}
