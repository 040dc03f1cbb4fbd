@{
    Synopsis     = 'Runs the checks a restart needs to pass before it touches anything, and reports each one.'
    Description  = @(
        @'
Test-StingPrerequisite runs, without changing anything, the pre-restart checks of the project and
returns one StingOps.PrerequisiteResult per check and target, passed or not, in this order:
'@
        @'
- ComposeFile: the compose files load (the message counts the services and names the files).
- RestartConfiguration: config.yml loads; unknown keys are a Warning.
- DockerEngine: the engine answers (version, API version, data directory).
- DiskSpace: free space in the engine's data directory (DockerRootDir) and in the project directory is at least -MinimumFreeSpaceGB.
- Memory: MemAvailable is at least 256 MiB (a Warning only).
- EnvironmentFile: per service to be restarted, its env_file entries parse and the keys of service_specific.<name>.required_env are set and not empty. Never a value, only file, line and key.
- Dependencies: dependencies outside the request are running and ready (named restarts only).
- RestartLock: no other restart of the project holds the lock (a Warning when lock_timeout would wait for it).
- InterruptedRun: no earlier restart was killed mid-run (a Warning naming its run id, start time and the services it left stopped; see about_StingOps).
- ConfigDrift: each container still matches the compose model (environment, image); a Warning that a plain restart would not apply the change.
- ComposeCli: with -Recreate, docker compose (v2) or docker-compose (v1) answers on PATH.
'@
        @'
Severity says how serious a failure is: a failed Error check stops Restart-StingService (with
StingPrerequisiteFailed, before it touches any container), a failed Warning does not. A check that
cannot run because an earlier one failed (no project, no engine) is left out. Restart-StingService runs
the same checks (except Dependencies, which it judges per service) unless -Force is given.
'@
        @'
Failed checks are reported as results, not errors, so one run shows every problem. Only a usage error
stops the cmdlet: a -Name that matches no service (StingUnknownService).
'@
    )
    Parameters   = @{
        Name               = @{
            Description  = 'The services whose restart is checked: their env files, their dependencies outside the request, their configuration drift. Wildcards are allowed; names can be piped in (strings, or objects with a Name property). A name or pattern that matches no service stops the cmdlet with StingUnknownService.'
            DefaultValue = 'the whole project'
        }
        MinimumFreeSpaceGB = @{
            Description  = 'The free space, in GB (GiB), that the engine''s data directory and the project directory must each have for the DiskSpace check to pass (0 to 1000000). Overrides minimum_free_space_gb in config.yml.'
            DefaultValue = 'minimum_free_space_gb in config.yml, else 1'
        }
        IncludeDependents  = 'Checks as for Restart-StingService -IncludeDependents: the dependents of the named services are included in the env-file, dependency and drift checks.'
        Recreate           = 'Checks as for Restart-StingService -Recreate: configuration drift is reported as what the recreate will apply, and the ComposeCli check (docker compose or docker-compose on PATH) is added.'
        Quiet              = 'Returns a single Boolean instead of the results: $true when no check of severity Error failed (warnings allowed), else $false. For if statements and scheduled scripts.'
    }
    Inputs       = @(
        @{ Type = 'System.String'; Description = 'Service names or wildcard patterns, bound to -Name.' }
        @{ Type = 'StingOps.ServiceInfo'; Description = 'Objects with a Name property, such as the output of Get-StingService, bound to -Name by property name.' }
    )
    Outputs      = @(
        @{ Type = 'StingOps.PrerequisiteResult'; Description = 'One per check and target: Check (ComposeFile, RestartConfiguration, DockerEngine, DiskSpace, Memory, EnvironmentFile, Dependencies, RestartLock, InterruptedRun, ConfigDrift, ComposeCli), Target (a path, service or endpoint), Passed, Severity (Error or Warning) and Message.' }
        @{ Type = 'System.Boolean'; Description = 'With -Quiet: $true when every check of severity Error passed.' }
    )
    Notes        = @(
        'Messages name files, keys, services and numbers, never the value of an environment variable.'
        'The DiskSpace check of the engine''s data directory is a Warning when the engine is remote (DOCKER_HOST on another host) or the directory is not visible from here.'
    )
    Examples     = @(
        @{
            Title   = 'See what would stop a restart'
            Code    = @'
Test-StingPrerequisite -ProjectDirectory /opt/sting | Where-Object { -not $_.Passed } | Format-Table Check, Severity, Target, Message -Wrap
'@
            Remarks = 'Lists only the failed checks; rows with Severity Error are the ones Restart-StingService would refuse on.'
        }
        @{
            Title   = 'Gate a scripted restart on the checks'
            Code    = @'
if (Test-StingPrerequisite -Name kratos -IncludeDependents -MinimumFreeSpaceGB 5 -Quiet) {
    Restart-StingService -Name kratos -IncludeDependents -Confirm:$false
}
else {
    Write-Warning 'Prerequisites failed; see Test-StingPrerequisite -Name kratos -IncludeDependents'
    exit 2
}
'@
            Remarks = 'Restarts kratos and its dependents only when every Error check passes with at least 5 GB free; otherwise exits 2 without touching anything.'
        }
        @{
            Title   = 'Check that an edited .env will be applied'
            Code    = @'
Test-StingPrerequisite -Name frontend -Recreate | Where-Object Check -in 'EnvironmentFile', 'ConfigDrift', 'ComposeCli'
'@
            Remarks = 'Shows whether frontend''s env files are valid, whether its container differs from the compose model (so that Restart-StingService -Recreate would recreate it) and whether the compose CLI is available for that.'
        }
    )
    RelatedLinks = @('Restart-StingService', 'Test-StingEnvironmentFile', 'Get-StingService', 'about_StingOps')
}
