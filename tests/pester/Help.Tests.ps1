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

    It 'shows interactive, pipeline and scheduled-script use: three examples or more' {
        $examples = @($Help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 3
        @($examples | Where-Object { $_.code -match '\|' }).Count | Should -BeGreaterOrEqual 1 -Because 'one example pipes'
        # A scheduled script: what cron or a systemd timer runs (it imports the module, or signals with an exit code).
        @($examples | Where-Object { $_.title -match 'schedul|cron|timer|nightly|weekly' -or $_.code -match '(?m)\bexit\b|Import-Module StingOps' }).Count |
            Should -BeGreaterOrEqual 1 -Because 'one example is a scheduled script'
    }

    It 'lists the properties of each StingOps output type under Outputs' {
        foreach ($value in @($Help.returnValues.returnValue | Where-Object { $_.type.name -like 'StingOps.*' })) {
            $text = Get-Text $value.description
            foreach ($property in ([type]$value.type.name).GetProperties().Name) {
                $text | Should -Match "\b$property\b" -Because "the Outputs of $Name should name $($value.type.name).$property"
            }
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

Describe 'The about_ topics' -Tag 'Unit', 'Help' {
    It 'has <_>' -ForEach 'about_StingOps', 'about_StingOps_Configuration' {
        $topic = Get-Help $_
        $topic | Should -Not -BeNullOrEmpty
        ($topic | Out-String) | Should -Match "TOPIC\s+$_\b"
    }

    It 'documents every key of restart_configuration the loader knows' {
        $text = Get-Help about_StingOps_Configuration | Out-String
        $loader = Get-Content (Join-Path $RepoRoot 'src/StingOps.Core/Configuration/RestartConfigurationLoader.cs') -Raw
        $keys = foreach ($set in [regex]::Matches($loader, '(?s)HashSet<string> \w*Keys =\s*(?:new\(StringComparer\.Ordinal\) )?[\[{](.*?)[\]}];')) {
            [regex]::Matches($set.Groups[1].Value, '"([a-z_]+)"') | ForEach-Object { $_.Groups[1].Value }
        }
        @($keys).Count | Should -BeGreaterThan 15
        foreach ($key in $keys) { $text | Should -Match "\b$key\b" -Because "about_StingOps_Configuration should document $key" }
    }

    It 'has a full example that loads as documented, without warnings' {
        $text = (Get-Content (Join-Path $RepoRoot 'module/en-US/about_StingOps_Configuration.help.txt') -Raw) -replace '\r'
        $text -match '(?s)\nFULL EXAMPLE\n(.*?)\n\S' | Should -BeTrue
        $example = ($Matches[1] -split '\n' | ForEach-Object { if ($_.Length -ge 4) { $_.Substring(4) } else { '' } }) -join "`n"
        $dir = Join-Path $TestDrive 'config-example'
        New-Item -ItemType Directory (Join-Path $dir 'conf') -Force | Out-Null
        Set-Content (Join-Path $dir 'conf/config.yml') $example
        $services = 'vault', 'db', 'kratos', 'app', 'frontend', 'chatbot'
        Set-Content (Join-Path $dir 'compose.yaml') ("services:`n" + (($services | ForEach-Object { "  ${_}: {image: busybox}" }) -join "`n"))
        $plan = Get-StingRestartPlan -ProjectDirectory $dir -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -BeNullOrEmpty
        $byName = @{}; $plan | ForEach-Object { $byName[$_.Service] = $_ }
        $byName['vault'].Timeout | Should -Be ([timespan]::FromSeconds(60))
        $byName['vault'].Critical | Should -BeTrue
        $byName['kratos'].HealthCheck | Should -Match 'https://localhost:4434/admin/health/ready'
        $byName['kratos'].DependsOn | Sort-Object | Should -Be @('db', 'vault')
        $byName['app'].Timeout | Should -Be ([timespan]::FromSeconds(30))
        $byName['frontend'].HealthCheck | Should -Match 'running'
        $checks = Test-StingPrerequisite -ProjectDirectory $dir -WarningAction SilentlyContinue | Where-Object Check -eq 'RestartConfiguration'
        $checks.Passed | Should -Not -Contain $false
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
        $contract = 'Get-StingService', 'Get-StingRestartPlan', 'Restart-StingService', 'Start-StingService',
            'Stop-StingService', 'Repair-StingService', 'Wait-StingService', 'Test-StingPrerequisite',
            'Test-StingEnvironmentFile', 'Get-StingRestartMetric', 'Test-StingRestartAlert', 'Export-StingRestartMetric'
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
