BeforeAll {
    Import-Module $env:STINGOPS_MODULE_PATH -Force
    $script:Dir = Join-Path ([IO.Path]::GetTempPath()) ("stingops-plan-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory $Dir | Out-Null
    @'
name: plantest
services:
  vault: {image: x, healthcheck: {test: ["CMD", "true"]}}
  db: {image: x}
  app:
    image: x
    depends_on: [vault, db]
  frontend:
    image: x
    depends_on:
      app: {condition: service_healthy}
  worker:
    image: x
    depends_on:
      app: {condition: service_started, restart: true}
  chroma: {image: x}
  knowledge: {image: x, depends_on: [chroma]}
  log-forwarder: {image: x, profiles: [observability]}
'@ | Set-Content (Join-Path $Dir 'compose.yaml')
}

AfterAll {
    Remove-Item $Dir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Get-StingRestartPlan parameter contract' -Tag 'Unit', 'Plan' {
    It 'has <Name> of type <Type>' -TestCases @(
        @{ Name = 'Name'; Type = [string[]] }
        @{ Name = 'IncludeDependents'; Type = [switch] }
        @{ Name = 'ComposeFile'; Type = [string[]] }
        @{ Name = 'ProjectDirectory'; Type = [string] }
        @{ Name = 'Profile'; Type = [string[]] }
    ) {
        (Get-Command Get-StingRestartPlan).Parameters[$Name].ParameterType | Should -Be $Type
    }

    It 'takes Name at position 0 and from the pipeline by property name' {
        $p = (Get-Command Get-StingRestartPlan).Parameters['Name'].Attributes | Where-Object { $_ -is [Parameter] }
        $p.Position | Should -Be 0
        $p.ValueFromPipelineByPropertyName | Should -BeTrue
    }

    It 'declares its output type' {
        (Get-Command Get-StingRestartPlan).OutputType.Name | Should -Contain 'StingOps.RestartPlanStep'
    }
}

Describe 'Get-StingRestartPlan' -Tag 'Unit', 'Plan' {
    It 'pipes into ConvertTo-StingGraph as ONE Mermaid or Dot text, each edge from a dependency to what needs it' {
        $mermaid = @(Get-StingRestartPlan -ProjectDirectory $Dir | ConvertTo-StingGraph)
        $mermaid.Count | Should -Be 1
        $mermaid[0] | Should -Match '^flowchart LR'
        $mermaid[0] | Should -Match '\["log-forwarder"\]' -Because 'no: it is disabled by profile' -Not
        $dot = Get-StingRestartPlan -ProjectDirectory $Dir -Name app | ConvertTo-StingGraph -Format Dot
        $dot | Should -Match '"vault" -> "app";'
        $dot | Should -Match '"db" -> "app";'
        $dot | Should -Match '"vault" \[style=dashed\];' -Because 'vault is outside the plan of app'
        { [pscustomobject]@{ Other = 1 } | ConvertTo-StingGraph -ErrorAction Stop } | Should -Throw -ErrorId 'StingGraphInputInvalid*'
    }

    It 'takes services piped in by their Service property (plan steps, restart results, metrics), as ONE plan' {
        $piped = @([pscustomobject]@{ Service = 'db' }, [pscustomobject]@{ Service = 'chroma' })
        $plan = @($piped | Get-StingRestartPlan -ProjectDirectory $Dir)
        ($plan.Service | Sort-Object) | Should -Be @('chroma', 'db')
        (Get-Command Get-StingRestartPlan).Parameters['Name'].Aliases | Should -Contain 'Service'
    }

    It 'orders the whole project by wave, then name' {
        $plan = Get-StingRestartPlan -ProjectDirectory $Dir
        $plan.Service | Should -Be @('chroma', 'db', 'vault', 'app', 'knowledge', 'frontend', 'worker')
        ($plan | Where-Object Service -eq frontend).Wave | Should -Be 2
        ($plan | Where-Object Service -eq app).DependsOn | Should -Be @('vault', 'db')
    }

    It 'leaves out services of inactive profiles and includes them with -Profile' {
        (Get-StingRestartPlan -ProjectDirectory $Dir).Service | Should -Not -Contain 'log-forwarder'
        (Get-StingRestartPlan -ProjectDirectory $Dir -Profile observability).Service | Should -Contain 'log-forwarder'
    }

    It 'plans a named service alone, plus its restart: true dependents' {
        (Get-StingRestartPlan app -ProjectDirectory $Dir).Service | Should -Be @('app', 'worker')
    }

    It 'adds the dependents closure with -IncludeDependents' {
        (Get-StingRestartPlan db -IncludeDependents -ProjectDirectory $Dir).Service | Should -Be @('db', 'app', 'frontend', 'worker')
    }

    It 'collects piped names into one plan' {
        $plan = 'chroma', 'db' | Get-StingRestartPlan -ProjectDirectory $Dir
        $plan.Service | Should -Be @('chroma', 'db')
    }

    It 'accepts wildcards' {
        (Get-StingRestartPlan 'k*' -ProjectDirectory $Dir).Service | Should -Be @('knowledge')
    }

    It 'describes the effective probe and timeout' {
        $vault = Get-StingRestartPlan vault -ProjectDirectory $Dir
        $vault.HealthCheck | Should -Match '^docker healthcheck'
        $vault.Timeout | Should -Be ([timespan]::FromSeconds(30))
        (Get-StingRestartPlan vault -ProjectDirectory $Dir -TimeoutSec 90).Timeout | Should -Be ([timespan]::FromSeconds(90))
    }

    It 'never contacts the engine' {
        $savedHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = 'unix:///nonexistent/docker.sock'
        try { (Get-StingRestartPlan -ProjectDirectory $Dir).Count | Should -Be 7 }
        # Put back what the caller had: a run against another engine must stay on it.
        finally { if ($null -eq $savedHost) { Remove-Item Env:DOCKER_HOST } else { $env:DOCKER_HOST = $savedHost } }
    }

    It 'fails with StingUnknownService for an unknown name' {
        { Get-StingRestartPlan nope -ProjectDirectory $Dir -ErrorAction Stop } | Should -Throw -ErrorId 'StingUnknownService*'
    }

    It 'fails with StingComposeFileNotFound where there is no compose file' {
        $empty = New-Item -ItemType Directory (Join-Path $Dir 'empty') -Force
        { Get-StingRestartPlan -ProjectDirectory $empty -ErrorAction Stop } | Should -Throw -ErrorId 'StingComposeFileNotFound*'
    }

    It 'fails with StingDependencyCycle naming the cycle' {
        $cyc = New-Item -ItemType Directory (Join-Path $Dir 'cycle') -Force
        "services:`n  a: {image: x, depends_on: [b]}`n  b: {image: x, depends_on: [a]}`n" | Set-Content (Join-Path $cyc 'compose.yaml')
        $err = { Get-StingRestartPlan -ProjectDirectory $cyc -ErrorAction Stop } | Should -Throw -ErrorId 'StingDependencyCycle*' -PassThru
        $err.Exception.Message | Should -Match 'a -> b -> a'
    }
}
