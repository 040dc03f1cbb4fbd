using System.Management.Automation;
using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Metrics;
using StingOps.Core.Project;

namespace StingOps.Commands;

/// <summary>
/// What the metrics cmdlets share: they read the project only for its restart configuration (metrics_dir,
/// alert thresholds) and must also work with no compose project around (a cron job run from anywhere, a
/// metrics file copied off a server).
/// </summary>
public abstract class StingMetricCmdlet : StingCmdlet
{
    private static readonly string[] ProjectParameters = ["ComposeFile", "ProjectDirectory", "ProjectName", "Profile"];

    /// <summary>The project as found, or null when none was named and none was found.</summary>
    internal sealed record MetricContext(ProjectLocation? Location, StingProject? Project, RestartOptions Options, string MetricsDirectory);

    /// <summary>True when the caller named the project; then not finding it is an error, not a fallback.</summary>
    private bool ProjectNamed => ProjectParameters.Any(MyInvocation.BoundParameters.ContainsKey);

    /// <summary>
    /// Finds the project as the other cmdlets do (terminating on any problem when one was named). When none
    /// was named and none is found, uses -ConfigPath if given, else the built-in defaults. The metrics
    /// directory is resolved as <see cref="MetricStore.ResolveDirectory"/> does: metrics_dir, STING_LOG_DIR,
    /// XDG_STATE_HOME/stingops, ~/.local/state/stingops.
    /// </summary>
    /// <param name="loadCompose">Also load the compose model (services, env files); otherwise only the
    /// project's location and restart configuration are read.</param>
    internal MetricContext LoadContext(bool loadCompose)
    {
        var environment = EnvironmentSnapshot();
        var cwd = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        ProjectLocation? location = null;
        try
        {
            location = ProjectLocator.Locate(BuildRequest(), environment);
        }
        catch (StingException ex) when (ex.ErrorId == ErrorIds.ComposeFileNotFound && !ProjectNamed)
        {
            WriteVerbose($"No compose project found ({ex.Message}); using the environment's metrics directory and default alert thresholds.");
        }
        catch (StingException ex)
        {
            ThrowTerminatingError(ToErrorRecord(ex));
        }

        StingProject? project = null;
        RestartOptions options;
        if (location is null)
        {
            options = Try(() => RestartConfigurationLoader.Load(ConfigPath is null ? null : ResolvePath(ConfigPath), environment));
            foreach (var warning in options.Warnings)
                WriteWarning(warning);
        }
        else if (loadCompose)
        {
            project = OpenProject();
            options = project.Options;
        }
        else
        {
            options = Try(() => RestartConfigurationLoader.Load(location.ConfigPath, environment));
            foreach (var warning in options.Warnings)
                WriteWarning(warning);
        }

        var directory = MetricStore.ResolveDirectory(options.MetricsDirectory, location?.ProjectDirectory ?? cwd, k => environment.GetValueOrDefault(k));
        WriteVerbose($"Restart metrics directory: {directory}");
        return new MetricContext(location, project, options, directory);
    }

    /// <summary>Reads recorded restarts from -Path (a directory or one file; missing: StingMetricFileNotFound)
    /// or the resolved metrics directory (missing: nothing recorded yet). Malformed lines become warnings
    /// naming file:line.</summary>
    internal IReadOnlyList<RestartMetricRecord> ReadRecords(string? path, Func<string> defaultDirectory, MetricQuery? query)
    {
        string source;
        if (path is not null)
        {
            source = ResolvePath(path);
        }
        else
        {
            source = defaultDirectory();
            if (!Directory.Exists(source))
            {
                WriteVerbose($"No restart has been recorded yet: {source} does not exist.");
                return [];
            }
        }
        return Try(() => MetricStore.Read(source, query, w => WriteWarning(w.Message)));
    }
}
