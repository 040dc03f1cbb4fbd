@{
    Synopsis     = 'Restarts services of a Docker Compose project in dependency order, each gated on its readiness probe.'
    Description  = @(
        @'
Restart-StingService restarts the named services (the whole project when -Name is omitted) the way a
careful operator would by hand: dependents are stopped before the services they depend on, and each
service is started the moment its own dependencies are ready (service_started, service_healthy or
service_completed_successfully, as compose's depends_on says), not wave by wave. A service counts as
restarted only when it passes its effective readiness probe: the restart configuration's health_check,
else the compose healthcheck run actively inside the container, else "running".
'@
        @'
Before anything is touched the cmdlet, in this order: loads the project (compose files, config.yml);
refuses outside the maintenance window (-MaintenanceWindow, else maintenance_window in config.yml:
StingOutsideMaintenanceWindow, naming the next opening); runs the prerequisite checks of
Test-StingPrerequisite (engine, disk space, compose file, restart configuration, env files, lock,
configuration drift; a failed check of severity Error stops the run with StingPrerequisiteFailed; -Force
skips them); reads the live containers and builds the plan (as Get-StingRestartPlan shows it); asks for
confirmation; checks that the dependencies outside the plan are running and ready (waiting up to
dependency_wait_time for one still starting); and takes the project's restart lock, so that only one run
per project is active (another run waits up to lock_timeout, 0 seconds by default, then fails with
StingRestartLocked).
'@
        @'
A named restart whose outside dependencies are not ready touches nothing: the blocked services are
reported Failed with FailureReason Dependency and the rest Skipped (-Force restarts them anyway, with a
warning for each). A project-level problem (no compose file, engine unreachable, dependency cycle,
failed prerequisites, lock taken) is a terminating error and no container is touched.
'@
        @'
Each service is stopped gracefully (its stop_grace_period), started, and probed until ready or until its
timeout (service_specific.<name>.timeout, else default_timeout, else 30 seconds; -TimeoutSec overrides
all). A service that does not become ready is stopped and started again, up to max_retries attempts (3
by default). A failed service's dependents are not started on top of it: they are Skipped with
FailureReason Dependency and left stopped, while independent branches of the graph go on. When a
critical service (critical: true) fails, every service not yet started is skipped.
'@
        @'
Compose's own semantics hold on this path. A container is stopped with its own stop signal (stop_signal,
which compose gave the engine when it created the container) and its stop_grace_period. The lifecycle hooks
of compose 2.30+ run as compose runs them, through the engine's exec in the service's container with their
user, privileged, working_dir and environment: pre_stop before each stop of the running container (a
failing hook fails the service and leaves it running), post_start after each start and before its
service_started dependents go (a failing hook fails the service, with the hook's output, env-file secrets
masked). A dependency with "required: false" that fails or has no container is warned about and not waited
for; its dependents start without it, and a service that has no container and is needed only that way is
Skipped. While a compose healthcheck's start_period lasts, its start_interval bounds the pause between
probes.
'@
        @'
Results stream out as each service finishes, one StingOps.RestartResult per planned service. A Failed
or RolledBack service also writes the non-terminating error StingServiceRestartFailed (category
OperationTimeout for a timeout, ResourceUnavailable for a dependency), so -ErrorAction Stop and
-ErrorVariable work as usual. Every outcome, including refused and cancelled runs, is recorded in the
restart metrics files (restart_metrics.csv in STING's seed format and restart_metrics.jsonl), read by
Get-StingRestartMetric, Test-StingRestartAlert and Export-StingRestartMetric. Progress is shown per
service. Ctrl+C cancels cleanly: container operations in flight finish, nothing new is started, and the
remaining services are reported Cancelled.
'@
        @'
With -Recreate, services whose containers no longer match the compose model (environment, image) are
recreated through the compose CLI (docker compose up --force-recreate) instead of restarted, after a
snapshot of the old container is saved in the user's private state directory; a recreated service that
does not become ready is rolled back to the snapshot (status RolledBack) unless -NoRollback is given or
rollback_enabled is false. Services without drift are restarted as usual.
'@
    )
    Parameters   = @{
        Name              = @{
            Description  = @'
The services to restart. Wildcards (*, ?, [a-z]) are allowed; a name or pattern that matches no service
stops the cmdlet with StingUnknownService before anything is touched. Names can be piped in, as strings
or as objects with a Name property (Get-StingService output): everything piped in is collected and
restarted as ONE dependency-ordered plan after the last input, not one restart per object.
'@
            DefaultValue = 'the whole project (asks for confirmation)'
        }
        IncludeDependents = 'Also restarts every service that depends on the named ones, directly or transitively. They are stopped before the named services and started after them. Use it when dependents hold connections that do not survive their dependency''s restart. Dependents that compose ties with "depends_on: ... restart: true" are always included.'
        Recreate          = @'
Recreates, instead of restarting, the requested services whose container configuration drifted from the
compose model (changed environment or image), through "docker compose up --force-recreate" (v2) or
docker-compose (v1), which must be on PATH. The old container is snapshotted first so that a failure can
be rolled back. With -Force every requested service that has a container is recreated, drift or not.
When nothing drifted, the services are restarted as usual (with a warning).
'@
        TimeoutSec        = @{
            Description  = 'How many seconds (1 to 86400) each service may take, from its start, to pass its readiness probe; overrides service_specific.<name>.timeout and default_timeout for every planned service. A service that does not become ready in time is retried up to max_retries times, then reported Failed with FailureReason Timeout.'
            DefaultValue = 'per service: service_specific.<name>.timeout, else default_timeout, else 30'
        }
        NoRollback        = 'With -Recreate: leaves a recreated service that fails its readiness probe as it is (status Failed) instead of restoring the old container from its snapshot; rollback_enabled: false in config.yml does the same for every run. A plain restart keeps the same container, so there is nothing to roll back.'
        Force             = @'
Restarts without the safety stops: skips the confirmation of a whole-project restart, skips the
prerequisite checks (with a warning), restarts services even though a dependency outside the plan is not
ready (with a warning per service), and with -Recreate recreates every requested service, drift or not.
The maintenance window and the restart lock still apply. In unattended scripts prefer -Confirm:$false,
which only skips the confirmation.
'@
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
        MaintenanceWindow = @{
            Description  = @'
A maintenance window, 'cron;duration[;time zone]': a 5-field cron expression for the openings, a
duration (2h, 90m, 1h30m; a bare number is seconds, as in config.yml) and optionally an IANA time zone
(Europe/Berlin; default the local zone).
Outside the window the cmdlet stops with StingOutsideMaintenanceWindow, naming the next opening, and
touches nothing. Overrides maintenance_window in config.yml. An invalid value stops the cmdlet with
StingMaintenanceWindowInvalid.
'@
            DefaultValue = 'maintenance_window in config.yml; none: any time'
        }
        WhatIf            = 'Shows the plan without restarting anything: one "What if" line per service with its wave, the services it starts after, its readiness probe and its timeout. The project and the live containers are read, nothing is changed and nothing is recorded.'
        Confirm           = 'Asks for each service of the plan whether to restart it, as Restart-Service does; a declined service is left as it is (for the others it is then a dependency outside the run, which must be ready). A whole-project restart (no -Name) first asks once for the whole project, even without -Confirm, unless -Force, -Confirm:$false or $ConfirmPreference = ''None'' is in effect.'
    }
    Inputs       = @(
        @{ Type = 'System.String'; Description = 'Service names or wildcard patterns, bound to -Name.' }
        @{ Type = 'StingOps.ServiceInfo'; Description = 'Objects with a Name property, such as the output of Get-StingService, bound to -Name by property name. All piped objects form one plan.' }
    )
    Outputs      = @(
        @{ Type = 'StingOps.RestartResult'; Description = @'
One per planned service, as it finishes: RunId, Service, Status (Succeeded, Failed, RolledBack, Skipped,
Cancelled), FailureReason (None, Timeout, Dependency, HealthCheck, Engine, Prerequisite, Cancelled),
Attempts, Wave, StoppedAt, StartedAt, ReadyAt, Duration (from stop to ready) and Message.
Diagnostics: why a service failed, at length (the last health check's output, the container's last log
lines, one per line, secrets masked), null otherwise; Format-List, -Verbose and the StingServiceRestartFailed
error show it, the table does not.
'@ }
    )
    Notes        = @(
        'Unlike "docker compose restart", which restarts everything at once, ignores short-form depends_on and does not wait for health, Restart-StingService orders the restart over the dependency graph and reports when each service is really ready.'
        'Restarted containers keep their configuration: a changed compose file or .env is applied only by recreating the container (-Recreate, or docker compose up -d). Test-StingPrerequisite reports such drift as ConfigDrift.'
        'Exit codes for schedulers: after Restart-StingService -ErrorVariable failed, test $failed (or the Status of the results) and exit non-zero yourself; see the examples.'
        'Error ids: StingComposeFileNotFound, StingComposeFileInvalid, StingDependencyCycle, StingUnknownService, StingEngineUnavailable, StingPrerequisiteFailed, StingOutsideMaintenanceWindow, StingRestartLocked, StingRestartConfigurationInvalid (terminating); StingServiceRestartFailed (per service, non-terminating).'
    )
    Examples     = @(
        @{
            Title   = 'Preview a restart'
            Code    = @'
Restart-StingService -Name kratos -IncludeDependents -WhatIf
'@
            Remarks = 'Prints one line per service that would be restarted: kratos and everything depending on it, in order, each with the probe that decides it is ready and its timeout. Nothing is touched.'
        }
        @{
            Title   = 'Restart one service and what depends on it'
            Code    = @'
Restart-StingService -Name db -IncludeDependents -TimeoutSec 120 -ProjectDirectory /opt/sting
'@
            Remarks = 'Stops db''s dependents, then db; starts db, and starts each dependent as soon as its own dependencies are ready, allowing every service two minutes to pass its probe. A result is printed as each service finishes.'
        }
        @{
            Title   = 'Restart the unhealthy services found by Get-StingService'
            Code    = @'
Get-StingService | Where-Object Health -eq 'Unhealthy' | Restart-StingService
'@
            Remarks = 'All unhealthy services are collected and restarted as one plan, in dependency order, rather than one restart per service.'
        }
        @{
            Title   = 'Nightly maintenance restart from cron or a systemd timer'
            Code    = @'
#!/usr/bin/env pwsh
Import-Module StingOps
$results = Restart-StingService -ProjectDirectory /opt/sting -MaintenanceWindow '0 2 * * 0;2h;Europe/Berlin' `
    -Confirm:$false -ErrorVariable failures -ErrorAction Continue
$results | Format-Table Service, Status, FailureReason, Attempts, Duration -AutoSize | Out-String | Write-Host
if ($failures) { exit 1 }
'@
            Remarks = @'
Restarts the whole STING stack without a confirmation prompt, but only on Sundays between 02:00 and 04:00
Berlin time (otherwise it stops with StingOutsideMaintenanceWindow and touches nothing). The prerequisite
checks still run. Failed or rolled-back services are collected in $failures and make the script exit 1.
'@
        }
        @{
            Title   = 'Apply a changed .env to one service, with rollback'
            Code    = @'
Restart-StingService -Name kratos -Recreate
'@
            Remarks = 'If kratos''s container no longer matches the compose model (for example after editing its env file), it is recreated through docker compose; if the new container does not become ready, the old one is restored and the result is RolledBack.'
        }
    )
    RelatedLinks = @('Get-StingRestartPlan', 'Test-StingPrerequisite', 'Wait-StingService', 'Get-StingService', 'Get-StingRestartMetric', 'about_StingOps')
}
