@{
    Synopsis     = 'Stops services of a Docker Compose project, dependents first, refusing to leave running services on a stopped dependency.'
    Description  = @(
        @'
Stop-StingService stops the named services (the whole project when -Name is omitted); -IncludeDependents
adds every service that depends on them, directly or transitively. Dependents go first: a service is
stopped once every service in the plan that depends on it has stopped, and services that do not depend
on each other are stopped at the same time. Nothing is started and no readiness probe runs.
'@
        @'
Each running container (running, restarting or paused) gets its compose pre_stop hooks first, run
through the engine's exec with their user, privileged, working_dir and environment; a failing hook
fails the service (Failed, FailureReason HealthCheck) and leaves it running, as compose does, and the
services it depends on are stopped all the same. Then the engine stops it with its own stop signal
(stop_signal) and its stop_grace_period (10 seconds when none is set), after which the engine kills it.
A stop that meets an unavailable engine is tried again within the service's timeout. A service whose
container is not running is reported Stopped with the message "already stopped" ("no container: nothing
to stop" when it has none).
'@
        @'
Before anything is touched the cmdlet loads the project (its maintenance_window does not apply: only a
restart waits for it), reads the live containers and builds the plan. When a running service outside the plan needs a
service the plan stops (a depends_on dependency; one marked "required: false" does not count), stopping
would strand it on a stopped dependency: the cmdlet stops with the terminating error
StingStopWouldStrandDependents, which names each such service and what it needs, and touches nothing.
-IncludeDependents stops those services too (first); -Force stops anyway, with a warning naming them.
The prerequisite checks of Test-StingPrerequisite do not run (nothing is started). Then the cmdlet asks
for confirmation and takes the project's restart lock (StingRestartLocked when another run holds it
longer than lock_timeout).
'@
        @'
Results stream out as each service finishes, one StingOps.RestartResult per planned service: Stopped,
or Failed (a failing pre_stop hook, an engine error) with the non-terminating error
StingServiceRestartFailed, or Skipped (reason Dependency) for a service one of whose dependents survived
its stop (a failing pre_stop hook leaves it running: its dependency is not stopped under it), or
Cancelled after Ctrl+C (stops in flight finish, nothing new is stopped). Every outcome but "already
stopped" is recorded in restart_metrics.jsonl (a Failed one also
as a failure row in restart_metrics.csv). Progress is shown per service ("Stopping services"), -Verbose
tells the story, and the run keeps the run journal that Get-StingService and Repair-StingService read
after a kill.
'@
    )
    Parameters   = @{
        Name              = @{
            Description  = @'
The services to stop. Wildcards (*, ?, [a-z]) are allowed; a name or pattern that matches no service
stops the cmdlet with StingUnknownService before anything is touched. Names can be piped in, as strings
or as objects with a Name property (Get-StingService output): everything piped in is collected and
stopped as ONE dependency-ordered plan after the last input.
'@
            DefaultValue = 'the whole project (asks for confirmation)'
        }
        IncludeDependents = 'Also stops every service that depends on the named ones, directly or transitively, before them. Without it, a named service that a running service outside the plan needs (as a required dependency) refuses the run with StingStopWouldStrandDependents.'
        Force             = 'Stops even when running services outside the plan are left on a stopped dependency (with a warning naming them), and skips the confirmation of a whole-project stop. The restart lock still applies. In unattended scripts that stop the whole project, -Confirm:$false skips only the confirmation.'
        WhatIf            = 'Shows what would be stopped without stopping anything: one "What if" line per planned service with its wave, the dependents it waits for and its timeout and, for one that is not running, "already stopped", in the order the stops run: dependents first. A stop that would strand running dependents is refused with StingStopWouldStrandDependents under -WhatIf too. Nothing is changed and nothing is recorded.'
        Confirm           = 'Asks for each service of the plan whether to stop it; a declined service keeps running, and the check for stranded dependents is made again on what is left: declining a dependent of a service still to be stopped refuses the stop with StingStopWouldStrandDependents (or, with -Force, stops with a warning). A whole-project stop (no -Name) first asks once for the whole project, even without -Confirm, unless -Force, -Confirm:$false or $ConfirmPreference = ''None'' is in effect.'
    }
    Inputs       = @(
        @{ Type = 'System.String'; Description = 'Service names or wildcard patterns, bound to -Name.' }
        @{ Type = 'StingOps.ServiceInfo'; Description = 'Objects with a Name property, such as the output of Get-StingService, bound to -Name by property name. All piped objects form one plan.' }
    )
    Outputs      = @(
        @{ Type = 'StingOps.RestartResult'; Description = @'
One per planned service, as it finishes: RunId, Service, Status (Stopped, Failed, Cancelled),
FailureReason (None for Stopped; HealthCheck for a failing pre_stop hook, Engine for an engine error,
Cancelled), Attempts (0), Wave, StoppedAt (when it stopped; null when it was already stopped), StartedAt,
ReadyAt and Duration (always null: nothing is started) and Message.
Diagnostics: why a service failed, at length (the last health check's output, the container's last log
lines, one per line, secrets masked), null otherwise; Format-List, -Verbose and the StingServiceRestartFailed
error show it, the table does not.
'@ }
    )
    Notes        = @(
        'Stop-StingService stops containers, it does not remove them: Start-StingService or Repair-StingService starts them again, in dependency order.'
        'Error ids: StingComposeFileNotFound, StingComposeFileInvalid, StingDependencyCycle, StingUnknownService, StingEngineUnavailable, StingStopWouldStrandDependents, StingOutsideMaintenanceWindow, StingRestartLocked, StingRestartConfigurationInvalid (terminating); StingServiceRestartFailed (per service, non-terminating).'
    )
    Examples     = @(
        @{
            Title   = 'Stop the database and everything that needs it'
            Code    = @'
Stop-StingService -Name db -IncludeDependents -WhatIf
Stop-StingService -Name db -IncludeDependents
'@
            Remarks = 'The first command lists db and every service that depends on it, touching nothing; the second stops the dependents first, each with its pre_stop hooks and stop_grace_period, then db. Without -IncludeDependents the stop would be refused with StingStopWouldStrandDependents while those dependents run.'
        }
        @{
            Title   = 'Stop the running services of a profile'
            Code    = @'
Get-StingService | Where-Object { $_.State -eq 'Running' -and $_.Profiles -contains 'observability' } | Stop-StingService
'@
            Remarks = 'The running services of the observability profile are collected and stopped as one plan, dependents first. If a running service outside the profile needs one of them, nothing is stopped and the StingStopWouldStrandDependents error names it.'
        }
        @{
            Title   = 'Stop the whole stack from a scheduled script, before a backup'
            Code    = @'
#!/usr/bin/env pwsh
Import-Module StingOps
try {
    $results = @(Stop-StingService -ProjectDirectory /opt/sting -Confirm:$false -ErrorAction Continue)
}
catch {
    [Console]::Error.WriteLine("Stop refused: $($_.Exception.Message)")
    exit 2
}
if ($results | Where-Object Status -ne 'Stopped') { exit 1 }
& /opt/sting/scripts/backup-volumes.sh
Start-StingService -ProjectDirectory /opt/sting
'@
            Remarks = 'Stops every service of the STING stack without the whole-project question (-Confirm:$false), dependents first, and runs the backup only when every service is Stopped; then starts the stack again in dependency order. A refusal (lock taken, engine unreachable) exits 2 with nothing touched.'
        }
    )
    RelatedLinks = @('Start-StingService', 'Repair-StingService', 'Restart-StingService', 'Get-StingService', 'about_StingOps')
}
