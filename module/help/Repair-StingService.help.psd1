@{
    Synopsis     = 'Brings a Docker Compose project to its desired state: every service running, ready, and started after its dependencies were ready.'
    Description  = @(
        @'
Repair-StingService looks at every container of the project (of the named services and everything they
depend on, transitively, when -Name is given), judges what is out of order, and restarts or starts only
that, in dependency order and gated on readiness as Restart-StingService does. It is meant for the
moments when the engine, not StingOps, started the stack: after a host reboot or a daemon restart,
Docker starts the containers with a restart policy all at once and in no order, so dependents come up
before what they need; and after a run of StingOps that was killed half-way.
'@
        @'
A running service is out of order when it started before one of its dependencies was ready, as that
dependency's condition says: for service_healthy with a compose healthcheck, the end of the
dependency's first passing health probe since its own start, read from the health log Docker keeps
(State.Health.Log); for service_started, the dependency's start; for service_completed_successfully,
its exit with code 0. Where Docker's record cannot tell, the order is not judged and -Verbose says so.
Such a service is restarted. So are services that are unhealthy (Docker's health status) and services
that crash-loop (the engine keeps restarting them). Services that are not running are started; a
one-shot job (a service another one depends on with service_completed_successfully) that completed
with exit code 0 is not run again. Everything that depends on a service that is restarted or started is
restarted (or started) after it, transitively, so that it too starts after its dependency is ready.
'@
        @'
A run that was interrupted (the pwsh running Restart-, Start-, Stop- or Repair-StingService killed
mid-run, its run journal left behind in the user's private state directory) is completed: the services
it had planned and not finished with are restarted, and those it left stopped are started. The journal
is found only by a Repair-StingService of the same user (the same $XDG_STATE_HOME or home directory).
'@
        @'
What is in order is left alone: nothing is stopped or started, but its readiness is still confirmed with
its probe, within its timeout, before what depends on it goes on (status AlreadyRunning). So a second
run right after a successful one touches nothing. A service left alone that does not pass its probe in
time is Failed and not restarted. Repair-StingService never creates a container: a service that has
none is Failed with FailureReason Engine (create it with "docker compose up -d <service>").
'@
        @'
Before anything is touched the cmdlet does what Start-StingService does: loads the project (its
maintenance_window does not apply, so a boot-time repair is never refused for the hour); runs the
prerequisite checks of Test-StingPrerequisite (a failed
check of severity Error stops the run with StingPrerequisiteFailed; they cannot be skipped); inspects
the containers and judges them; asks for confirmation; and takes the project's restart lock
(StingRestartLocked when another run holds it longer than lock_timeout).
'@
        @'
Each restarted service is stopped gracefully (pre_stop hooks, stop signal, stop_grace_period) once the
services in the plan that depend on it have stopped, and started, like each started one, once its own
dependencies are ready (post_start hooks run after each start). It is probed until ready or until its
timeout (service_specific.<name>.timeout, else default_timeout, else 30 seconds; -TimeoutSec overrides
all) and retried up to max_retries attempts; a failed service's dependents are Skipped with FailureReason
Dependency and not started.
'@
        @'
Results stream out as each service finishes, one StingOps.RestartResult per service judged. A Failed
service also writes the non-terminating error StingServiceRestartFailed. The outcomes are recorded in the
restart metrics like those of Restart-StingService, except AlreadyRunning: a service left alone is not
recorded, so a boot-time repair of a healthy stack adds nothing. Progress is shown per service
("Repairing services"), -Verbose tells the story (the plan with each service's action and why), and
Ctrl+C cancels cleanly.
'@
    )
    Parameters   = @{
        Name       = @{
            Description  = @'
The services to repair. Wildcards (*, ?, [a-z]) are allowed; a name or pattern that matches no service
stops the cmdlet with StingUnknownService before anything is touched. The judgement covers these
services and everything they depend on, transitively, and whatever depends on a service it restarts or
starts. Names can be piped in, as strings or as objects with a Name property (Get-StingService
output): everything piped in is collected and repaired as ONE plan after the last input.
'@
            DefaultValue = 'the whole project'
        }
        TimeoutSec = @{
            Description  = 'How many seconds (1 to 86400) each service may take to pass its readiness probe, from its start (for a service left alone, from the start of the run); overrides service_specific.<name>.timeout and default_timeout. A restarted or started service that does not become ready in time is retried up to max_retries times, then reported Failed with FailureReason Timeout.'
            DefaultValue = 'per service: service_specific.<name>.timeout, else default_timeout, else 30'
        }
        WhatIf     = 'Shows what would be repaired without touching anything: one "What if" line per service that would be restarted or started, with its wave, the services it starts after, its readiness probe, its timeout and why (for example: it started so many seconds before a named dependency was ready; it is unhealthy; it is not running, with its exit code). Services that are in order are not listed. The prerequisite checks still run and the containers are inspected; nothing is changed and nothing is recorded.'
        Confirm    = 'Asks, for each service that would be restarted or started, whether to do it; a declined service is left as it is (for the others it is then a dependency outside the run, which must be ready). Services left alone are not asked about. A whole-project repair asks nothing more.'
    }
    Inputs       = @(
        @{ Type = 'System.String'; Description = 'Service names or wildcard patterns, bound to -Name.' }
        @{ Type = 'StingOps.ServiceInfo'; Description = 'Objects with a Name property, such as the output of Get-StingService, bound to -Name by property name. All piped objects form one plan.' }
    )
    Outputs      = @(
        @{ Type = 'StingOps.RestartResult'; Description = @'
One per service judged, as it finishes: RunId, Service, Status (Succeeded: restarted and ready; Started:
it was not running and is now ready; AlreadyRunning: in order, left alone, ready; Skipped: a completed
one-shot job not run again, or not started because a dependency failed; Failed; Cancelled),
FailureReason (None, Timeout, Dependency, HealthCheck, Engine, Prerequisite, Cancelled), Attempts, Wave,
StoppedAt, StartedAt, ReadyAt, Duration (from stop, or start, to ready; null for AlreadyRunning) and
Message (for a service left alone, what was seen, when there is something to say).
Diagnostics: why a service failed, at length (the last health check's output, the container's last log
lines, one per line, secrets masked), null otherwise; Format-List, -Verbose and the StingServiceRestartFailed
error show it, the table does not.
'@ }
    )
    Notes        = @(
        'Repair-StingService restarts only what it judges out of order; Restart-StingService restarts everything it is given. Run Repair-StingService -WhatIf to see the judgement.'
        'At boot: examples/stingops-boot.service is a systemd unit that runs Repair-StingService once the Docker engine is up and fails when a service does not come back.'
        'Error ids: StingComposeFileNotFound, StingComposeFileInvalid, StingDependencyCycle, StingUnknownService, StingEngineUnavailable, StingPrerequisiteFailed, StingOutsideMaintenanceWindow, StingRestartLocked, StingRestartConfigurationInvalid (terminating); StingServiceRestartFailed (per service, non-terminating).'
    )
    Examples     = @(
        @{
            Title   = 'See what is out of order'
            Code    = @'
Repair-StingService -ProjectDirectory /opt/sting -WhatIf
'@
            Remarks = 'Prints one line per service that would be restarted or started, with why: for example a dependent that started before its dependency was ready, an unhealthy service, a stopped one. Services in order are not listed. Nothing is touched.'
        }
        @{
            Title   = 'Repair the services that are not healthy, and what depends on them'
            Code    = @'
Get-StingService | Where-Object Health -eq 'Unhealthy' | Repair-StingService
'@
            Remarks = 'The unhealthy services are collected into one judgement together with their dependencies; whatever of them is out of order is restarted or started, and so is everything that depends on what is restarted.'
        }
        @{
            Title   = 'Repair the stack at boot, from a script a systemd unit runs'
            Code    = @'
#!/usr/bin/env pwsh
Import-Module StingOps
try {
    $results = @(Repair-StingService -ProjectDirectory /opt/sting -TimeoutSec 300 -ErrorAction Continue)
}
catch {
    [Console]::Error.WriteLine("Repair refused: $($_.Exception.Message)")
    exit 2
}
$results | Format-Table Service, Status, FailureReason, Message -AutoSize | Out-String -Width 200 | Write-Host
if ($results | Where-Object Status -eq 'Failed') { exit 1 }
'@
            Remarks = 'Repairs the STING stack after the engine started it, giving each service five minutes to become ready, prints one line per service and exits 1 when a service failed, 2 when the repair was refused before touching anything (engine unreachable, failed prerequisites, lock taken). examples/stingops-boot.service runs the same as one pwsh -Command line, after docker.service.'
        }
    )
    RelatedLinks = @('Restart-StingService', 'Start-StingService', 'Stop-StingService', 'Get-StingService', 'Test-StingPrerequisite', 'about_StingOps')
}
