# Test-StingPrerequisite: the contract, project-level checks offline, and the live checks on the fixture stack.
BeforeAll {
    Import-Module $env:STINGOPS_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
}

Describe 'Test-StingPrerequisite parameter contract' -Tag 'Unit', 'Prerequisite' {
    It 'has <Name> of type <Type>' -TestCases @(
        @{ Name = 'Name'; Type = [string[]] }
        @{ Name = 'MinimumFreeSpaceGB'; Type = [Nullable[double]] }
        @{ Name = 'Quiet'; Type = [switch] }
        @{ Name = 'ProjectDirectory'; Type = [string] }
        @{ Name = 'ComposeFile'; Type = [string[]] }
    ) {
        (Get-Command Test-StingPrerequisite).Parameters[$Name].ParameterType | Should -Be $Type
    }

    It 'declares PrerequisiteResult and bool output' {
        (Get-Command Test-StingPrerequisite).OutputType.Name | Should -Contain 'StingOps.PrerequisiteResult'
        (Get-Command Test-StingPrerequisite).OutputType.Name | Should -Contain 'System.Boolean'
    }
}

Describe 'Test-StingPrerequisite without an engine' -Tag 'Unit', 'Prerequisite' {
    BeforeAll {
        $script:Dir = Join-Path ([System.IO.Path]::GetTempPath()) "stingops-pretest-$([guid]::NewGuid().ToString('N'))"
        New-Item -ItemType Directory -Path $Dir | Out-Null
        Set-Content -LiteralPath (Join-Path $Dir 'compose.yaml') -Value @('services:', '  web:', '    image: busybox', '    env_file: web.env')
        Set-Content -LiteralPath (Join-Path $Dir 'web.env') -Value 'WEB_SECRET=fake-web-secret-Kk8j'
        $script:SavedHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = 'unix:///nonexistent.sock'
    }
    AfterAll {
        $env:DOCKER_HOST = $SavedHost
        Remove-Item -LiteralPath $Dir -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'fails DockerEngine naming the endpoint and what to do, and still checks the files' {
        $r = Test-StingPrerequisite -ProjectDirectory $Dir
        $engine = $r | Where-Object Check -eq 'DockerEngine'
        $engine.Passed | Should -BeFalse
        $engine.Severity | Should -Be 'Error'
        $engine.Message | Should -Match 'nonexistent\.sock'
        $engine.Message | Should -Match 'DOCKER_HOST'
        ($r | Where-Object Check -eq 'ComposeFile').Passed | Should -BeTrue
        ($r | Where-Object Check -eq 'EnvironmentFile').Passed | Should -BeTrue
        ($r | Where-Object Check -eq 'DiskSpace').Count | Should -BeGreaterThan 0
        $r[0].PSObject.TypeNames[0] | Should -Be 'StingOps.PrerequisiteResult'
        ($r | Out-String) | Should -Not -Match 'fake-web-secret'
    }

    It '-Quiet returns a single $false' {
        $q = Test-StingPrerequisite -ProjectDirectory $Dir -Quiet
        $q | Should -BeOfType [bool]
        $q | Should -BeFalse
    }

    It 'reports an invalid compose file as a failed ComposeFile check instead of throwing' {
        $bad = Join-Path $Dir 'bad'
        New-Item -ItemType Directory -Path $bad -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $bad 'compose.yaml') -Value @('services:', '  web:', '    image: [oops')
        $r = Test-StingPrerequisite -ProjectDirectory $bad
        $c = $r | Where-Object Check -eq 'ComposeFile'
        $c.Passed | Should -BeFalse
        $c.Message | Should -Match 'StingComposeFileInvalid'
        $c.Message | Should -Match 'compose\.yaml'
    }

    It 'refuses Restart-StingService with StingPrerequisiteFailed, touching nothing' {
        { Restart-StingService web -ProjectDirectory $Dir -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'StingPrerequisiteFailed,StingOps.Commands.RestartStingServiceCommand'
    }
}

Describe 'Test-StingPrerequisite on the fixture stack' -Tag 'Integration', 'Prerequisite' {
    BeforeAll {
        Remove-StingFixtureLeftover
        Initialize-StingFixtureImage
        $script:P = New-StingFixtureProject
        Start-StingFixture -Project $P -Service frontend -TimeoutSec 180 | Out-Null
        $script:Common = @{ ProjectDirectory = $P.Directory }
        $env:XDG_STATE_HOME = Join-Path $P.Directory 'state'
    }
    AfterAll {
        Remove-StingFixture -Project $P
        Remove-Item Env:XDG_STATE_HOME -ErrorAction SilentlyContinue
    }

    It 'passes every Error check for a started service, with the engine version' -Tag 'Legacy' {
        $r = Test-StingPrerequisite frontend @Common
        $r | Where-Object { -not $_.Passed -and $_.Severity -eq 'Error' } | Should -BeNullOrEmpty
        # The versions the engine and the leg's compose CLI report themselves: no test names a version.
        $engineVersion = (Invoke-StingFixtureDocker 'version', '--format', '{{.Server.Version}}').StdOut.Trim()
        ($r | Where-Object Check -eq 'DockerEngine').Message | Should -Match "Docker $([regex]::Escape($engineVersion))"

        ($r | Where-Object Check -eq 'Dependencies').Passed | Should -BeTrue
        ($r | Where-Object Check -eq 'RestartLock').Message | Should -Be 'free'
        ($r | Where-Object { $_.Check -eq 'ConfigDrift' -and $_.Target -eq 'frontend' }).Passed | Should -BeTrue
        Test-StingPrerequisite frontend @Common -Quiet | Should -BeTrue
        # @(...) around the if: a one-element array coming out of an if is unrolled to a string.
        $cli = @(if ($env:STINGOPS_ENGINE_LEG -eq 'legacy') { 'docker-compose' } else { 'docker', 'compose' })
        $cliVersion = (Invoke-StingProcess -FilePath $cli[0] -ArgumentList (@($cli | Select-Object -Skip 1) + 'version', '--short')).StdOut.Trim()
        Test-StingPrerequisite frontend @Common -Recreate | Where-Object Check -eq 'ComposeCli' | ForEach-Object Message |
            Should -Match "$([regex]::Escape($cli -join ' ')) version $([regex]::Escape($cliVersion.TrimStart('v')))"

    }

    It 'warns about drift when an env file changed, naming the key only' -Tag 'Legacy' {
        $envFile = Join-Path $P.Directory 'env' 'frontend.env'
        $saved = Get-Content -LiteralPath $envFile -Raw
        try {
            Add-Content -LiteralPath $envFile -Value 'FRONTEND_API_TOKEN=fake-drift-token-Yy2u'
            $d = Test-StingPrerequisite frontend @Common | Where-Object { $_.Check -eq 'ConfigDrift' -and $_.Target -eq 'frontend' }
            $d.Passed | Should -BeFalse
            $d.Severity | Should -Be 'Warning'
            $d.Message | Should -Match 'FRONTEND_API_TOKEN'
            $d.Message | Should -Match '-Recreate'
            $d.Message | Should -Not -Match 'fake-drift-token'
            # A v2-made stack is judged by compose's own config hash, a v1-made one by the compose model.
            $d.Message | Should -Match $(if ($env:STINGOPS_ENGINE_LEG -eq 'legacy') { 'compose model' } else { 'compose config hash' })
        }
        finally { Set-Content -LiteralPath $envFile -Value $saved -NoNewline }
    }

    It 'fails Dependencies when a dependency outside the request is down' {
        $app = Get-StingFixtureContainer -Project $P -Service app
        & docker stop --time 2 $app.Id | Out-Null
        try {
            $d = Test-StingPrerequisite frontend @Common | Where-Object Check -eq 'Dependencies'
            $d.Passed | Should -BeFalse
            $d.Message | Should -Match "'app' is exited"
        }
        finally { & docker start $app.Id | Out-Null; Wait-StingFixtureHealthy -Project $P -Service app -TimeoutSec 60 | Out-Null }
    }
}
