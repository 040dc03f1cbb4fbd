# Tab completion of -Name and -Profile, driven through TabExpansion2 as the console drives it, judged
# against what docker-compose itself resolves for the fixture project.
BeforeAll {
    Import-Module $env:STINGOPS_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    function script:Complete([string] $Line) {
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches | ForEach-Object CompletionText)
    }
}

Describe 'Completers are attached' -Tag 'Unit', 'Completion' {
    It '<_> completes -Name with service names and -Profile with profiles' -ForEach @(
        'Get-StingService', 'Get-StingRestartPlan', 'Restart-StingService', 'Start-StingService', 'Stop-StingService',
        'Repair-StingService', 'Wait-StingService', 'Test-StingPrerequisite'
    ) {
        $command = Get-Command $_
        $command.Parameters['Name'].Attributes.Where({ $_ -is [ArgumentCompleter] }).Type.Name | Should -Be 'ServiceNameCompleter'
        $command.Parameters['Profile'].Attributes.Where({ $_ -is [ArgumentCompleter] }).Type.Name | Should -Be 'ProfileCompleter'
    }
}

Describe 'Completion on the fixture project' -Tag 'Unit', 'Completion' {
    BeforeAll {
        $script:P = New-StingFixtureProject
        $script:Expected = @(Get-StingFixtureService -Project $P | ForEach-Object Name | Sort-Object)
        $script:Profiles = @(Get-StingFixtureService -Project $P | ForEach-Object Profiles | Sort-Object -Unique)
        $script:Before = Get-Location
    }

    AfterAll {
        Set-Location $Before
        Remove-StingFixture -Project $P
    }

    AfterEach { Set-Location $Before }

    It 'completes -Name with every service of the project in the current directory' {
        Set-Location $P.Directory
        $Expected.Count | Should -BeGreaterThan 10
        Complete 'Get-StingService -Name ' | Sort-Object | Should -Be $Expected
    }

    It 'completes only the services that start with what was typed' {
        Set-Location $P.Directory
        Complete 'Restart-StingService -Name kr' | Should -Be @($Expected -like 'kr*')
        Complete 'Restart-StingService k' | Should -Be @($Expected -like 'k*')
    }

    It 'completes -Name of <_>, named and positional, like Restart-StingService' -ForEach 'Start-StingService', 'Stop-StingService', 'Repair-StingService' {
        Set-Location $P.Directory
        Complete "$_ -Name " | Sort-Object | Should -Be $Expected
        Complete "$_ -Name kr" | Should -Be @($Expected -like 'kr*')
        Complete "$_ k" | Should -Be @($Expected -like 'k*')
    }

    It 'completes -Name from the project -ProjectDirectory selects, relative to the current location' {
        Set-Location (Split-Path $P.Directory)
        Complete "Get-StingRestartPlan -ProjectDirectory ./$(Split-Path -Leaf $P.Directory) -Name " | Sort-Object | Should -Be $Expected
    }

    It 'completes -Name from the files -ComposeFile selects, not the current directory' {
        Set-Location $P.Directory
        $other = Join-Path $TestDrive 'other'
        New-Item -ItemType Directory $other -Force | Out-Null
        Set-Content (Join-Path $other 'compose.yaml') "services:`n  alpha: {image: busybox}`n  beta: {image: busybox, profiles: [extra]}`n"
        Complete "Wait-StingService -ComposeFile '$other/compose.yaml' -Name " | Should -Be @('alpha', 'beta')
        Complete "Wait-StingService -ComposeFile '$other/compose.yaml' -Profile " | Should -Be @('extra')
    }

    It 'completes -Profile with the profiles the project declares' {
        Set-Location $P.Directory
        $Profiles | Should -Contain 'observability'
        Complete 'Get-StingService -Profile ' | Should -Be $Profiles
        Complete 'Get-StingService -Profile obs' | Should -Be @('observability')
    }

    It 'offers nothing, and throws nothing, where there is no compose project' {
        Set-Location $TestDrive
        Complete 'Get-StingService -Name ' | Should -BeNullOrEmpty
        Complete 'Get-StingService -Profile ' | Should -BeNullOrEmpty
    }
}
