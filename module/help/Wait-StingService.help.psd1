@{
    Synopsis     = 'Waits until services pass their effective readiness probe.'
    Description  = @(
        @'
Wait-StingService waits, for each named service (every service of the project when -Name is omitted),
until its container passes the service's effective readiness probe, and then returns the service as a
StingOps.ServiceInfo with its live details. The services are waited for concurrently; results are
written in plan order (by wave, then name).
'@
        @'
The effective probe is the restart configuration's health_check for the service (a command run inside
the container, an HTTP or TCP check, "docker" for the compose healthcheck, or "running"), else the
compose healthcheck, run actively inside the container rather than waiting for Docker's next interval,
else "running". A test run inside the container (a command, or the compose healthcheck) is repeated
there by the container's own /bin/sh every 100 ms, one exec per 3-second window, so readiness is seen
within about 0.1 s; images without /bin/sh are probed one exec at a time. HTTP and TCP probes, and those
single execs, are repeated with a backoff from 100 ms whose ceiling is health_check_interval (5 seconds
by default). Engine events (start, die, health_status) wake the wait at once.
'@
        @'
Each service may take its timeout: the service's timeout in config.yml, else default_timeout, else 30
seconds; -TimeoutSec overrides all of them. A service that does not become ready in time, has no
container, or whose container exits writes the non-terminating error StingServiceNotReady (category
OperationTimeout for a timeout, ResourceUnavailable otherwise) and is not returned; the other services
are still waited for. Ctrl+C stops the wait.
'@
        @'
Wait-StingService never starts, stops or changes a container: it only observes. Use it after
"docker compose up -d", after a deployment, or in a script before work that needs the stack.
'@
    )
    Parameters   = @{
        Name       = @{
            Description  = 'The services to wait for. Wildcards (*, ?, [a-z]) are allowed; a name or pattern that matches no service stops the cmdlet with StingUnknownService. Names can be piped in, as strings or objects with a Name property; they are collected and waited for together.'
            DefaultValue = 'all enabled services of the project'
        }
        TimeoutSec = @{
            Description  = 'How many seconds (1 to 86400) each service may take to become ready, overriding the configured timeouts. The services are waited for concurrently, so the whole command takes about the longest single wait, not the sum.'
            DefaultValue = 'per service: service_specific.<name>.timeout, else default_timeout, else 30'
        }
    }
    Inputs       = @(
        @{ Type = 'System.String'; Description = 'Service names or wildcard patterns, bound to -Name.' }
        @{ Type = 'StingOps.ServiceInfo'; Description = 'Objects with a Name property, such as the output of Get-StingService, bound to -Name by property name.' }
    )
    Outputs      = @(
        @{ Type = 'StingOps.ServiceInfo'; Description = 'One per service that became ready, as Get-StingService shows it with the live container: Name, Project, State, Health, DependsOn, Dependents, Profiles, Enabled, Wave, Critical, ContainerId, ContainerName, Image, StartedAt and HealthCheck (Replicas and Nodes stay empty: a Swarm stack is refused).' }
    )
    Notes        = @(
        'Use -ErrorAction Stop to turn the first service that does not become ready into a terminating error, or -ErrorVariable to collect them.'
        'Project-level problems (no compose file, engine unreachable: StingEngineUnavailable, dependency cycle) stop the cmdlet before any wait.'
    )
    Examples     = @(
        @{
            Title   = 'Wait for the whole stack after docker compose up'
            Code    = @'
docker compose up -d
Wait-StingService -TimeoutSec 180 -ErrorAction Stop | Format-Table Name, State, Health, StartedAt
'@
            Remarks = 'Starts the project in the current directory and waits up to three minutes for every service to pass its readiness probe; the first service that does not makes the command fail.'
        }
        @{
            Title   = 'Wait for the identity services before running a migration'
            Code    = @'
Wait-StingService -Name vault, kratos -ProjectDirectory /opt/sting -ErrorAction Stop
& /opt/sting/scripts/migrate-identities.sh
'@
            Remarks = 'Blocks until vault and kratos are ready (each within its configured timeout, e.g. 60 and 45 seconds) and only then runs the migration.'
        }
        @{
            Title   = 'Report the services that did not come up in a scheduled check'
            Code    = @'
$ready = Wait-StingService -ProjectDirectory /opt/sting -TimeoutSec 60 -ErrorVariable notReady -ErrorAction SilentlyContinue
if ($notReady) {
    $notReady | ForEach-Object { "NOT READY: $($_.TargetObject): $($_.Exception.Message)" }
    exit 1
}
"$($ready.Count) services ready"
'@
            Remarks = 'Collects the StingServiceNotReady errors instead of stopping at the first, prints one line per service that failed its probe, and exits non-zero for the scheduler.'
        }
    )
    RelatedLinks = @('Get-StingService', 'Restart-StingService', 'about_StingOps')
}
