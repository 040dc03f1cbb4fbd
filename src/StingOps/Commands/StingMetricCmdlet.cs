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
    private static readonly string[] ProjectParameters = ["ComposeFile", "ProjectDirectory", "ProjectName", "Profile", "StackName"];
    private MetricContext? _context;

    /// <summary>Every project's restarts, not only the project the parameters find: in the default layout, every
    /// project folder and the rows recorded before projects had folders of their own.</summary>
    [Parameter]
    public SwitchParameter AllProjects { get; set; }

    /// <summary>The project as found, or null when none was named and none was found.</summary>
    /// <param name="ProjectName">The compose project's name, whose history is read; null when no project was found.</param>
    /// <param name="Directories">What is read without -Path: the project's metrics directory, or every project's.</param>
    internal sealed record MetricContext(ProjectLocation? Location, StingProject? Project, RestartOptions Options, string? ProjectName,
        IReadOnlyList<string> Directories);

    /// <summary>True when the caller named the project; then not finding it is an error, not a fallback.</summary>
    private bool ProjectNamed => ProjectParameters.Any(MyInvocation.BoundParameters.ContainsKey);

    /// <summary>Also load the compose model (services, env files); otherwise only the project's location, name and
    /// restart configuration are read.</summary>
    private protected virtual bool LoadsCompose => false;

    /// <summary>
    /// Finds the project as the other cmdlets do (terminating on any problem when one was named). When none
    /// was named and none is found, uses -ConfigPath if given, else the built-in defaults, and reads every project.
    /// The metrics directory is resolved as <see cref="MetricStore.ResolveDirectory"/> does: metrics_dir,
    /// STING_LOG_DIR, else the project's folder under XDG_STATE_HOME/stingops or ~/.local/state/stingops.
    /// </summary>
    internal MetricContext Context => _context ??= LoadContext();

    private MetricContext LoadContext()
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
            WriteVerbose($"No compose project found ({ex.Message}); using the environment's metrics directory, every project's restarts and default alert thresholds.");
        }
        catch (StingException ex)
        {
            ThrowTerminatingError(ToErrorRecord(ex));
        }

        StingProject? project = null;
        RestartOptions options;
        string? projectName = null;
        if (location is null)
        {
            options = Try(() => RestartConfigurationLoader.Load(ConfigPath is null ? null : ResolvePath(ConfigPath), environment));
            foreach (var warning in options.Warnings)
                WriteWarning(warning);
        }
        else if (LoadsCompose)
        {
            project = OpenProject();
            options = project.Options;
            projectName = project.Name;
        }
        else
        {
            options = Try(() => RestartConfigurationLoader.Load(location.ConfigPath, environment));
            foreach (var warning in options.Warnings)
                WriteWarning(warning);
            projectName = ReadProjectName(location, environment);
        }

        string Resolve(string? project) =>
            MetricStore.ResolveDirectory(options.MetricsDirectory, location?.ProjectDirectory ?? cwd, k => environment.GetValueOrDefault(k), project);
        IReadOnlyList<string> directories = AllProjects || projectName is null
            ? MetricStore.ResolveAllDirectories(options.MetricsDirectory, location?.ProjectDirectory ?? cwd, k => environment.GetValueOrDefault(k))
            : [Resolve(projectName)];
        WriteVerbose(projectName is null || AllProjects
            ? $"Restart metrics of every project: {string.Join(", ", directories)}"
            : $"Restart metrics of project '{projectName}': {directories[0]}");
        return new MetricContext(location, project, options, projectName, directories);
    }

    /// <summary>The name the project's runs record: from a top-level <c>name:</c> when the files set one. A file
    /// that cannot be read does not stop a reader of metrics: the name the locator found serves, with a warning.</summary>
    private string ReadProjectName(ProjectLocation location, IReadOnlyDictionary<string, string?> environment)
    {
        try
        {
            return ComposeLoader.ReadProjectName(location, environment);
        }
        catch (StingException ex) when (location.ProjectName.Length > 0)
        {
            WriteWarning($"The compose file's project name could not be read ({ex.Message}); reading the restarts of project '{location.ProjectName}'.");
            return location.ProjectName;
        }
        catch (StingException ex)
        {
            ThrowTerminatingError(ToErrorRecord(ex));
            throw;
        }
    }

    /// <summary>Reads recorded restarts from -Path (a directory or one file; missing: StingMetricFileNotFound)
    /// or the project's metrics directory (missing: nothing recorded yet). Rows of other projects are left out unless
    /// -AllProjects; from -Path only when a project parameter named the project (a file copied off a server is read as
    /// it is). Malformed lines become warnings naming file:line.</summary>
    internal IReadOnlyList<RestartMetricRecord> ReadRecords(string? path, MetricQuery query)
    {
        if (path is not null)
        {
            var source = ResolvePath(path);
            var named = AllProjects || !ProjectNamed ? null : Context.ProjectName;
            return Try(() => MetricStore.Read(source, query with { Project = named }, w => WriteWarning(w.Message)));
        }
        var context = Context;
        var existing = context.Directories.Where(Directory.Exists).ToList();
        if (existing.Count == 0)
        {
            WriteVerbose($"No restart has been recorded yet: {string.Join(", ", context.Directories)} does not exist.");
            return [];
        }
        var project = AllProjects ? null : context.ProjectName;
        return Try(() => MetricStore.ReadDirectories(existing, query with { Project = project }, w => WriteWarning(w.Message)));
    }
}
