# Descriptions of the parameters many StingOps cmdlets share, merged into every cmdlet's help by
# tools/New-StingMamlHelp.ps1. A cmdlet's own <Verb-Noun>.help.psd1 may describe one of them again to
# say something specific; its text then wins.
@{
    Parameters = @{
        ComposeFile      = @{
            Description  = @'
The compose files of the project, merged in the order given, as "docker compose -f a.yml -f b.yml" merges
them (later files override and extend earlier ones; include:, extends: and profiles are honoured).
Relative paths are resolved from the current location. Alias: -File.

Without it: the files listed in COMPOSE_FILE (from the environment, else from the .env file; separated
by COMPOSE_PATH_SEPARATOR, else the platform's path separator, ':' on Linux); else the first of compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml found in the
project directory, plus the override file beside it (compose.override.yaml / docker-compose.override.yml).
When no compose file is found the cmdlet stops with the error StingComposeFileNotFound; a file that is
not valid YAML or compose stops it with StingComposeFileInvalid, whose message names file:line:column.
'@
            DefaultValue = '$env:COMPOSE_FILE, else compose.yaml / docker-compose.yml (+ override) in the project directory'
        }
        ProjectDirectory = @{
            Description  = @'
The project directory: where relative paths in the compose files, the .env file and the restart
configuration (conf/config.yml) are looked up, as docker compose --project-directory does.

Without it: the directory of the first compose file; else $env:STING_INSTALL_DIR (the STING
installation); else the current location.
'@
            DefaultValue = 'directory of the first compose file, else $env:STING_INSTALL_DIR, else the current location'
        }
        ProjectName      = @{
            Description  = @'
The compose project name, which selects the containers by their com.docker.compose.project label. Use
it when the stack was started with "docker compose -p <name>".

Without it: the top-level name: of the compose file; else COMPOSE_PROJECT_NAME (environment, then the .env file); else the project
directory's name, normalised as compose does (lower case; characters other than a-z, 0-9, '-' and '_'
removed). A name compose would reject stops the cmdlet with StingProjectNameInvalid.
'@
            DefaultValue = 'name: in the compose file, else $env:COMPOSE_PROJECT_NAME, else the directory name'
        }
        Profile          = @{
            Description  = @'
The compose profiles to activate, as "docker compose --profile" does. Services assigned to a profile
take part only when one of their profiles is active (or their container runs anyway); the others show
as Disabled and are left out of restart plans.

Both -Profile a,b and -Profile 'a,b' work. Without it: the comma-separated list in COMPOSE_PROFILES
(environment, then the .env file); else no profile is active.
'@
            DefaultValue = '$env:COMPOSE_PROFILES'
        }
        ConfigPath       = @{
            Description  = @'
The STING configuration file whose restart_configuration: section sets timeouts, retries, readiness
probes (health_check), extra dependencies, critical services, the lock timeout, the maintenance window,
the metrics directory and the alert thresholds. The rest of the file is ignored.

Without it: conf/config.yml, then config.yml, in the project directory; when neither exists the built-in
defaults apply (default_timeout 30s, max_retries 3, health_check_interval 5s, dependency_wait_time 10s,
rollback_enabled true, lock_timeout 0s). A file given here that does not exist stops the cmdlet with
StingConfigFileNotFound; a wrong type or value stops it with StingRestartConfigurationInvalid naming
file:line; unknown keys are warnings.
'@
            DefaultValue = 'conf/config.yml, then config.yml, in the project directory; else built-in defaults'
        }
        StackName        = @{
            Description  = @'
A Docker Swarm stack deployed from the compose files (docker stack deploy -c <files> <name>) instead of a
compose project. The compose files (found as usual) give the dependency graph; the swarm manager that
DOCKER_HOST names gives the stack's services, found by their com.docker.stack.namespace label. The
stack's name is the project's name (metrics, lock, state); with -ProjectName too, both must agree.

Get-StingService shows each service's replicas (desired/running/healthy) and nodes; Get-StingRestartPlan is
the same planner; Test-StingPrerequisite checks that the engine is a manager, the nodes are ready and
active, every planned service is deployed and the deployed images are the files'. Restart-StingService
force-updates each service in dependency order (docker service update --force through the Engine API),
each once its dependencies have converged, with the service's own update_config; a service whose new
tasks do not all run healthy within its timeout is rolled back by Swarm (RolledBack) and what depends on
it is Skipped. Start-, Stop-, Repair- and Wait-StingService and -Recreate have no meaning on a stack and
stop with StingSwarmOperationNotSupported, touching nothing.
'@
            DefaultValue = 'none: a compose project'
        }
        WhatIf           = @'
Shows what the cmdlet would do, without doing it.
'@
        Confirm          = @'
Asks for confirmation before the cmdlet does it.
'@
    }
}
