@{
    Synopsis     = 'Starts the stopped services of a Docker Compose project in dependency order, each gated on its readiness probe; running services are left alone.'
    Description  = @(
        @'
Start-StingService starts the named services (the whole project when -Name is omitted) that are not
running, in dependency order: each service is started the moment its own dependencies are ready
(service_started, service_healthy or service_completed_successfully, as compose's depends_on says), not
wave by wave, and counts as started only when it passes its effective readiness probe (the restart
configuration's health_check, else the compose healthcheck run actively inside the container, else
"running"). -IncludeDependencies adds everything the named services depend on, transitively; what
depends on them is never added.
'@
        @'
What each planned service gets is chosen from its container's state. A container that is not running
(exited, created, dead) is started: status Started. A container that is running (or restarting, or
paused) is left alone, nothing is stopped or started, but its readiness is still confirmed with its
probe, within its timeout, before the services that need it ready start: status AlreadyRunning. A
running service that does not pass its probe in time is Failed (it is not restarted: Restart-StingService
or Repair-StingService does that) and the services that need it ready are not started. A service that
runs is left alone even when a dependency of it is started in the same run (Repair-StingService
restarts such a service after its dependency). A one-shot job (a service another one depends on with
service_completed_successfully) that completed with exit code 0 is not run again (Skipped, reason None);
one that failed is started again.
Start-StingService never creates a container: a service that has none is Failed with FailureReason
Engine (create it with "docker compose up -d <service>"), or Skipped when only "required: false"
dependents need it.
'@
        @'
Before anything is touched the cmdlet, in this order: loads the project (compose files, config.yml;
its maintenance_window does not apply: only a restart waits for it); runs the prerequisite checks of Test-StingPrerequisite
(a failed check of severity Error stops the run with StingPrerequisiteFailed; they cannot be skipped);
reads the live containers and builds the plan; asks for confirmation; checks that the dependencies
outside the plan satisfy their condition (running; ready, waiting up to dependency_wait_time for one
still starting; or, for service_completed_successfully, exited); and takes the project's restart lock
(StingRestartLocked when another run holds it longer than lock_timeout).
'@
        @'
A dependency outside the plan that is not running or not ready refuses the run, touching nothing: the
services that need it are reported Failed with FailureReason Dependency (the message suggests
-IncludeDependencies) and the rest of the plan Skipped with FailureReason Dependency. A "required:
false" dependency that is not ready only gets a warning. A project-level problem (no compose file,
engine unreachable, dependency cycle, failed prerequisites, lock taken) is a terminating error and no
container is touched.
'@
        @'
A started service runs its post_start hooks (a failing hook fails it), then is probed until ready or
until its timeout (service_specific.<name>.timeout, else default_timeout, else 30 seconds; -TimeoutSec
overrides all, for the services left alone too). One that does not become ready is stopped and started
again, up to max_retries attempts. A failed service's dependents are Skipped with FailureReason
Dependency and not started; independent branches go on. When a critical service fails, nothing not yet
started is started.
'@
        @'
Results stream out as each service finishes, one StingOps.RestartResult per planned service. A Failed
service also writes the non-terminating error StingServiceRestartFailed. The outcomes are recorded in the
restart metrics (restart_metrics.jsonl; a Failed one also as a failure row in restart_metrics.csv), except
AlreadyRunning: a service left alone is not recorded. Progress is shown per service ("Starting
services"), -Verbose tells the story (the plan with each service's action, each start and probe verdict),
and the run keeps the run journal that Get-StingService and Repair-StingService read after a kill. Ctrl+C
cancels cleanly: nothing new is started and the remaining services are reported Cancelled.
'@
    )
    Parameters   = @{
        Name                = @{
            Description  = @'
The services to start. Wildcards (*, ?, [a-z]) are allowed; a name or pattern that matches no service
stops the cmdlet with StingUnknownService before anything is touched. Names can be piped in, as strings
or as objects with a Name property (Get-StingService output): everything piped in is collected and
started as ONE dependency-ordered plan after the last input. Those of them that already run are left
alone.
'@
            DefaultValue = 'the whole project'
        }
        IncludeDependencies = 'Also plans everything the named services depend on, directly or transitively: those that are stopped are started first, those that run are left alone and their readiness confirmed. Without it, a named service whose dependency is stopped or not ready refuses the run (Failed, FailureReason Dependency; the rest Skipped) and nothing is started.'
        BeforeRestart = @{
            Description  = @'
A script block run once the project's restart lock is taken and before anything is stopped or started:
the step that regenerates the env files (STING's seed, section 4), so that no other run can interleave
with it. It runs in the caller's session, on the caller's thread, until it returns (Ctrl+C stops it). It
fails on a terminating error or a non-zero $LASTEXITCODE (a native command it ran last); the run is then
refused with StingBeforeRestartFailed, nothing is touched, the lock is released, and the message carries
its output (errors included) with env-file secrets masked, those of the files before and after it. The
env files are validated after it, not before (the pre-flight skips them): a file it leaves broken
refuses the run with StingEnvironmentFileInvalid. Overrides before_restart in config.yml.
'@
            DefaultValue = "config.yml's before_restart command, else none"
        }
        TimeoutSec          = @{
            Description  = 'How many seconds (1 to 86400) each planned service may take to pass its readiness probe, from its start (for a service left alone, from the start of the run); overrides service_specific.<name>.timeout and default_timeout. A started service that does not become ready in time is retried up to max_retries times, then reported Failed with FailureReason Timeout.'
            DefaultValue = 'per service: service_specific.<name>.timeout, else default_timeout, else 30'
        }
        WhatIf              = 'Shows what would be started without starting anything: one "What if" line per service that is not running, with its wave, the services it starts after, its readiness probe, its timeout and why it is started (for example "not running (exited)"). Services that run are not listed. The prerequisite checks still run and the live containers are read; nothing is changed and nothing is recorded.'
        Confirm             = 'Asks, for each service that would be started, whether to start it; a declined service is left as it is (for the others it is then a dependency outside the run, which must be ready). Services left alone are not asked about. A whole-project start asks nothing more.'
    }
    Inputs       = @(
        @{ Type = 'System.String'; Description = 'Service names or wildcard patterns, bound to -Name.' }
        @{ Type = 'StingOps.ServiceInfo'; Description = 'Objects with a Name property, such as the output of Get-StingService, bound to -Name by property name. All piped objects form one plan.' }
    )
    Outputs      = @(
        @{ Type = 'StingOps.RestartResult'; Description = @'
One per planned service, as it finishes: RunId, Service, Status (Started: it was not running and is now
ready; AlreadyRunning: it ran, was left alone and is ready; Failed, Skipped, Cancelled), FailureReason
(None, Timeout, Dependency, HealthCheck, Engine, Prerequisite, Cancelled), Attempts (0 for a service
left alone), Wave, StoppedAt (null), StartedAt (when it was started; null for
AlreadyRunning), ReadyAt (when it passed its probe; null for AlreadyRunning), Duration (from its start to
ready; null for AlreadyRunning) and Message.
Diagnostics: why a service failed, at length (the last health check's output, the container's last log
lines, one per line, secrets masked), null otherwise; Format-List, -Verbose and the StingServiceRestartFailed
error show it, the table does not.
'@ }
    )
    Notes        = @(
        'Unlike "docker compose start", which starts the containers without waiting for any of them to become ready, Start-StingService starts each service only once its dependencies are ready and reports when it is ready itself.'
        'Exit codes for schedulers: collect the results and exit non-zero yourself when one is Failed; see the examples.'
        'Error ids: StingComposeFileNotFound, StingComposeFileInvalid, StingDependencyCycle, StingUnknownService, StingEngineUnavailable, StingPrerequisiteFailed, StingOutsideMaintenanceWindow, StingRestartLocked, StingRestartConfigurationInvalid (terminating); StingServiceRestartFailed (per service, non-terminating).'
    )
    Examples     = @(
        @{
            Title   = 'Preview what would be started'
            Code    = @'
Start-StingService -WhatIf
'@
            Remarks = 'Prints one line per service of the project that is not running, in dependency order, with why it would be started, the probe that decides it is ready and its timeout. Services that run are not listed. Nothing is touched.'
        }
        @{
            Title   = 'Start the services that exited, with what they need'
            Code    = @'
Get-StingService | Where-Object State -eq 'Exited' | Start-StingService -IncludeDependencies
'@
            Remarks = 'All exited services are collected into one plan together with their dependencies. Stopped dependencies are started first; running ones are left alone (AlreadyRunning) once they pass their probe.'
        }
        @{
            Title   = 'Start the stack from a scheduled script and fail when a service did not come up'
            Code    = @'
#!/usr/bin/env pwsh
Import-Module StingOps
try {
    $results = @(Start-StingService -ProjectDirectory /opt/sting -TimeoutSec 120 -ErrorAction Continue)
}
catch {
    [Console]::Error.WriteLine("Start refused: $($_.Exception.Message)")
    exit 2
}
$results | Format-Table Service, Status, FailureReason, Duration, Message -AutoSize | Out-String | Write-Host
if ($results | Where-Object Status -eq 'Failed') { exit 1 }
'@
            Remarks = 'Starts whatever of the STING stack is not running, giving each service two minutes to become ready, prints one line per service and exits 1 when any service failed. A project-level problem (engine unreachable, failed prerequisites, lock taken) is a terminating error: nothing was touched, and the script exits 2.'
        }
    )
    RelatedLinks = @('Stop-StingService', 'Repair-StingService', 'Restart-StingService', 'Wait-StingService', 'Test-StingPrerequisite', 'about_StingOps')
}
