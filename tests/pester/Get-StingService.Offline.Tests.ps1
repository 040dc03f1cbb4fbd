BeforeAll {
    Import-Module $env:STINGOPS_MODULE_PATH -Force
    $script:Dir = Join-Path ([IO.Path]::GetTempPath()) ("stingops-svc-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory $Dir | Out-Null
    @'
services:
  db: {image: x, healthcheck: {test: "true"}}
  app: {image: x, depends_on: [db]}
  loki: {image: x, profiles: [observability]}
'@ | Set-Content (Join-Path $Dir 'docker-compose.yml')
}

AfterAll {
    Remove-Item $Dir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Get-StingService parameter contract' -Tag 'Unit', 'Service' {
    It 'has Name (string[], position 0, wildcards) and Offline' {
        $cmd = Get-Command Get-StingService
        $cmd.Parameters['Name'].ParameterType | Should -Be ([string[]])
        ($cmd.Parameters['Name'].Attributes | Where-Object { $_ -is [Parameter] }).Position | Should -Be 0
        $cmd.Parameters['Name'].Attributes.TypeId.Name | Should -Contain 'SupportsWildcardsAttribute'
        $cmd.Parameters['Offline'].ParameterType | Should -Be ([switch])
        $cmd.Parameters['ComposeFile'].Aliases | Should -Contain 'File'
        $cmd.OutputType.Name | Should -Contain 'StingOps.ServiceInfo'
    }
}

Describe 'Get-StingService -Offline' -Tag 'Unit', 'Service' {
    It 'lists every service from the compose file without contacting the engine' {
        $savedHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = 'unix:///nonexistent/docker.sock'
        try { $services = Get-StingService -Offline -ProjectDirectory $Dir }
        # Put back what the caller had: a run against another engine must stay on it.
        finally { if ($null -eq $savedHost) { Remove-Item Env:DOCKER_HOST } else { $env:DOCKER_HOST = $savedHost } }
        $services.Name | Should -Be @('app', 'db', 'loki')
        ($services | Where-Object Name -eq db).State | Should -Be 'Unknown'
        ($services | Where-Object Name -eq loki).State | Should -Be 'Disabled'
        ($services | Where-Object Name -eq loki).Enabled | Should -BeFalse
        ($services | Where-Object Name -eq app).DependsOn | Should -Be @('db')
        ($services | Where-Object Name -eq db).Dependents | Should -Be @('app')
        $services[0].PSObject.TypeNames[0] | Should -Be 'StingOps.ServiceInfo'
    }

    It 'filters with wildcards and works in the pipeline' {
        (Get-StingService -Offline -ProjectDirectory $Dir -Name 'd*').Name | Should -Be 'db'
        (Get-StingService -Offline -ProjectDirectory $Dir | Where-Object Wave -eq 1).Name | Should -Be 'app'
    }

    It 'writes a non-terminating StingUnknownService error for an unknown exact name and still lists the rest' {
        $found = Get-StingService -Offline -ProjectDirectory $Dir -Name db, nope -ErrorVariable errs -ErrorAction SilentlyContinue
        $found.Name | Should -Be 'db'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'StingUnknownService*'
    }

    It 'is terminating with StingEngineUnavailable when live and the engine is unreachable' {
        $savedHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = 'unix:///nonexistent/docker.sock'
        try { { Get-StingService -ProjectDirectory $Dir -ErrorAction Stop } | Should -Throw -ErrorId 'StingEngineUnavailable*' }
        # Put back what the caller had: a run against another engine must stay on it.
        finally { if ($null -eq $savedHost) { Remove-Item Env:DOCKER_HOST } else { $env:DOCKER_HOST = $savedHost } }
    }
}
