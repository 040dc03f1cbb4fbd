@{
    Synopsis     = 'Gets the ordered plan a restart would run, without contacting the Docker engine.'
    Description  = @(
        @'
Get-StingRestartPlan builds the plan Restart-StingService would run for the same arguments and returns
it as StingOps.RestartPlanStep objects, in execution order (by Wave, then by Service). It reads the
compose files, the restart configuration and the project's restart metrics only: the engine is never
contacted and nothing is touched, so it is safe on any machine that has the project's files.
'@
        @'
From the project's recorded runs (the last 20 first-attempt starts of each service, at least 3), each
step also says how long the service takes from its start to ready (ExpectedStartToReady, the median) and
when it is expected ready, counted from the run's start (ExpectedReadyAfter: the critical path to it over
each service's median stop-and-start and start to ready). -Verbose says how long the whole run is
expected to take and along which chain, or which services have too little history. Restart-, Start- and
Repair-StingService show the same line under -WhatIf.
'@
        @'
The plan contains the named services (all services of the project when -Name is omitted), plus, with
-IncludeDependents, every service that depends on them, transitively; dependents that compose ties to a
planned service with "depends_on: ... restart: true" are always added, as docker compose restarts those
too. Each step carries the service's dependencies (DependsOn), its readiness Timeout (the service's
timeout in config.yml, else default_timeout, else 30 seconds; -TimeoutSec overrides all of them), its
effective readiness probe (HealthCheck: the config's health_check, else the compose healthcheck, else
"running") and whether it is Critical.
'@
        @'
The plan describes order, not barriers: Restart-StingService stops dependents before their
dependencies and starts each service the moment its own dependencies are ready. Dependencies of planned
services that are not themselves in the plan must already be running and ready when the restart begins.
'@
        @'
Errors (all terminating): StingUnknownService when a name, or a wildcard pattern, matches no service
(the message lists the known ones), StingDependencyCycle naming the cycle, StingUndefinedDependency and
StingDisabledDependency for a required dependency that is missing or disabled by its profiles, and the
project errors StingComposeFileNotFound, StingComposeFileInvalid and StingRestartConfigurationInvalid.
'@
    )
    Parameters   = @{
        Name              = @{
            Description  = @'
The services to plan a restart of. Wildcard patterns (*, ?, [a-z]) are expanded against the project's
services; a name or pattern that matches nothing stops the cmdlet with StingUnknownService, so a typo
never yields an empty plan. Names can be piped in (strings, or objects with a Name property such as
those of Get-StingService); they are collected into one plan.
'@
            DefaultValue = 'the whole project'
        }
        IncludeDependents = 'Also plans every service that depends on the named ones, directly or transitively, as Restart-StingService -IncludeDependents would restart them. Without it, dependents stay up and only the named services (and compose''s restart: true dependents) are planned.'
        TimeoutSec        = @{
            Description  = 'Overrides every planned service''s readiness timeout with this many seconds (1 to 86400), as Restart-StingService -TimeoutSec would. The Timeout property of each step shows the result.'
            DefaultValue = 'per service: service_specific.<name>.timeout, else default_timeout, else 30'
        }
    }
    Inputs       = @(
        @{ Type = 'System.String'; Description = 'Service names or wildcard patterns, bound to -Name.' }
        @{ Type = 'StingOps.ServiceInfo'; Description = 'Objects with a Name property, such as the output of Get-StingService, bound to -Name by property name.' }
    )
    Outputs      = @(
        @{ Type = 'StingOps.RestartPlanStep'; Description = 'One per planned service, in execution order: Service, Wave, DependsOn, DependsOnCondition (each dependency''s compose condition: service_started, service_healthy or service_completed_successfully), Timeout (TimeSpan), HealthCheck (the effective probe, described), Critical, ExpectedStartToReady (the median start to ready of its recorded first-attempt starts; empty with fewer than 3) and ExpectedReadyAfter (when it is expected ready, from the run''s start, along the critical path to it).' }
    )
    Notes        = @(
        'A critical service (critical: true in config.yml) that fails during a restart stops the run: services not yet started are skipped.'
        'Restart-StingService -WhatIf prints the same plan as "What if" lines, one per step.'
    )
    Examples     = @(
        @{
            Title   = 'Review what restarting the database would involve'
            Code    = @'
Get-StingRestartPlan -Name db -IncludeDependents -ProjectDirectory /opt/sting
'@
            Remarks = 'Lists db and every service that depends on it, wave by wave, with each one''s timeout and readiness probe. Nothing is touched and Docker is not needed.'
        }
        @{
            Title   = 'Check the plan of a whole-project restart in a change review'
            Code    = @'
Get-StingRestartPlan | Format-Table Wave, Service, @{ n = 'After'; e = { $_.DependsOn -join ', ' } }, Timeout, HealthCheck -AutoSize
'@
            Remarks = 'Shows the order in which all services of the project in the current directory would be restarted and what each one waits for.'
        }
        @{
            Title   = 'Estimate the worst-case duration of a restart'
            Code    = @'
$plan = Get-StingRestartPlan -Name kratos, hydra -IncludeDependents -TimeoutSec 90
'{0} services, longest wait {1}' -f $plan.Count, ($plan.Timeout | Sort-Object -Descending | Select-Object -First 1)
'@
            Remarks = 'Plans kratos, hydra and their dependents with a 90-second readiness timeout for each and prints how many services the run would touch.'
        }
        @{
            Title   = 'Validate compose files and config.yml in CI'
            Code    = @'
try {
    Get-StingRestartPlan -ComposeFile ./docker-compose.yml -ConfigPath ./conf/config.yml -ErrorAction Stop | Out-Null
}
catch {
    Write-Error "Restart plan invalid: $($_.FullyQualifiedErrorId): $_"
    exit 1
}
'@
            Remarks = 'Fails the pipeline when the compose files do not load, the dependencies form a cycle (StingDependencyCycle) or the restart configuration is invalid (StingRestartConfigurationInvalid, naming file:line).'
        }
    )
    RelatedLinks = @('Restart-StingService', 'Get-StingService', 'Test-StingPrerequisite', 'about_StingOps')
}
