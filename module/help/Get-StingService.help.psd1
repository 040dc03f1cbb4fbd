@{
    Synopsis     = 'Gets the services of a Docker Compose project: the compose model joined with the live containers.'
    Description  = @(
        @'
Get-StingService reads the project's compose files (merged as docker compose merges them, with
profiles, include:, extends: and interpolation from the environment and the .env file), asks the Docker
engine for the project's containers (by their com.docker.compose.project label), and returns one
StingOps.ServiceInfo per service, in the order of the restart plan's waves.
'@
        @'
Each object says what the service is in the model (DependsOn, Dependents, Profiles, Enabled, Wave,
Critical, the effective readiness probe in HealthCheck) and what its container is doing now (State,
Health, ContainerId, ContainerName, Image, StartedAt). DependsOn includes the extra depends_on edges of
the restart configuration. The effective probe is the restart configuration's health_check, else the
compose healthcheck, else "running".
'@
        @'
With -Offline the engine is not contacted: State and Health are Unknown, which is what you want on a
machine without Docker access or to inspect a compose file before deploying it.
'@
        @'
Project-level problems stop the cmdlet (terminating errors): StingComposeFileNotFound,
StingComposeFileInvalid, StingInterpolationFailed, StingDependencyCycle (the message names the cycle),
StingRestartConfigurationInvalid and, without -Offline, StingEngineUnavailable. A -Name without
wildcards that matches no service writes the non-terminating error StingUnknownService and the other
services are still returned.
'@
    )
    Parameters   = @{
        Name    = @{
            Description  = @'
The services to get, by compose service name. Wildcards (*, ?, [a-z]) are allowed and matching is
case-insensitive. Names can be piped in, as strings or as objects with a Name property; they are
collected and the project is read once, after the last one. A name without wildcards that matches
nothing is reported as StingUnknownService (non-terminating). Tab completion offers the services of the
compose files.
'@
            DefaultValue = 'all services'
        }
        Offline = @'
Reads the compose files and the restart configuration only; the Docker engine is not contacted. State
and Health are then Unknown and the container properties are empty, but DependsOn, Dependents, Wave,
Critical, Profiles and HealthCheck are complete.
'@
    }
    Inputs       = @(
        @{ Type = 'System.String'; Description = 'Service names or wildcard patterns, bound to -Name.' }
        @{ Type = 'System.Management.Automation.PSObject'; Description = 'Any object with a Name property (for example a StingOps.ServiceInfo), bound to -Name by property name.' }
    )
    Outputs      = @(
        @{ Type = 'StingOps.ServiceInfo'; Description = @'
One per service: Name, Project, State (Running, Restarting, Paused, Exited, Dead, Created, NotCreated,
Disabled, Unknown), Health (Healthy, Unhealthy, Starting, None, Unknown), DependsOn, Dependents,
Profiles, Enabled, Wave, Critical, ContainerId, ContainerName, Image, StartedAt and HealthCheck (the
effective readiness probe, described), and for a Swarm stack (-StackName) Replicas (desired/running/healthy)
and Nodes. Displayed as a table (name, state, health at a glance; a stack's services with replicas and
nodes); Format-List shows every property.
'@ }
    )
    Notes        = @(
        'Wave is the service''s depth in the dependency graph: wave 0 depends on nothing in the project, wave n on services of lower waves only. Restart-StingService starts each service as soon as its own dependencies are ready, so waves describe the order, not a barrier.'
        'NotCreated means the compose file defines the service but no container exists (it was never started, or was removed); Disabled means its profiles are not active.'
        'The engine is found as the docker CLI finds it: DOCKER_HOST, the current docker context, then the platform socket (/var/run/docker.sock).'
    )
    Examples     = @(
        @{
            Title   = 'Find the services that are not healthy'
            Code    = @'
Get-StingService -ProjectDirectory /opt/sting | Where-Object { $_.Enabled -and $_.Health -notin 'Healthy', 'None' }
'@
            Remarks = 'Lists every enabled service of the STING stack in /opt/sting whose health is Unhealthy, Starting or Unknown. Services without a readiness probe report Health None and are left out.'
        }
        @{
            Title   = 'See a service''s dependencies and its effective readiness probe'
            Code    = @'
Get-StingService -Name kratos | Format-List Name, State, Health, DependsOn, Dependents, Wave, Critical, HealthCheck
'@
            Remarks = 'Shows what kratos waits for, what waits for kratos, and which probe decides that kratos is ready after a restart (for example "http: https://localhost:4434/admin/health/ready (insecure)" from config.yml).'
        }
        @{
            Title   = 'Inspect a compose project without Docker access'
            Code    = @'
Get-StingService -ComposeFile ./docker-compose.yml, ./docker-compose.prod.yml -Profile observability -Offline |
    Sort-Object Wave, Name | Format-Table Wave, Name, DependsOn, Profiles
'@
            Remarks = 'Merges the two compose files with the observability profile active and prints the services wave by wave, without contacting the engine (State and Health are Unknown).'
        }
        @{
            Title   = 'Restart every service whose name starts with "kratos"'
            Code    = @'
Get-StingService -Name kratos* | Restart-StingService
'@
            Remarks = 'The piped services bind to Restart-StingService -Name by property name and are restarted as one dependency-ordered plan.'
        }
        @{
            Title   = 'A scheduled health check that exits non-zero when a service is down'
            Code    = @'
#!/usr/bin/env pwsh
# /etc/cron.d/sting-health: */5 * * * * sting /opt/sting/bin/check-health.ps1
Import-Module StingOps
$down = Get-StingService -ProjectDirectory /opt/sting |
    Where-Object { $_.Enabled -and ($_.State -ne 'Running' -or $_.Health -eq 'Unhealthy') }
if ($down) {
    $down | Format-Table Name, State, Health, StartedAt -AutoSize | Out-String | Write-Host
    exit 1
}
'@
            Remarks = 'Run every five minutes by cron or a systemd timer: prints the enabled services that are not running or are unhealthy and exits 1, so the scheduler (or the monitoring that watches it) notices. Disabled services (inactive profiles) are left out.'
        }
    )
    RelatedLinks = @('Get-StingRestartPlan', 'Restart-StingService', 'Wait-StingService', 'Test-StingPrerequisite', 'about_StingOps')
}
