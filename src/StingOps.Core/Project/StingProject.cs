using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Engine;
using StingOps.Core.EnvFiles;
using StingOps.Core.Graph;

namespace StingOps.Core.Project;

/// <summary>
/// A project as every cmdlet needs it: located, loaded, with its restart configuration. Opening reads
/// files only; the engine is asked separately so that offline listing and planning never contact it.
/// </summary>
public sealed class StingProject
{
    private StingProject(ProjectLocation location, ComposeProject compose, RestartOptions options)
    {
        Location = location;
        Compose = compose;
        Options = options;
    }

    public ProjectLocation Location { get; }
    public ComposeProject Compose { get; }
    public RestartOptions Options { get; }
    public string Name => Compose.Name;
    public IEnumerable<string> Warnings => Compose.Warnings.Concat(Options.Warnings);

    public static StingProject Open(ProjectRequest request, IReadOnlyDictionary<string, string?> environment)
    {
        var location = ProjectLocator.Locate(request, environment);
        var compose = ComposeLoader.Load(location, environment);
        var options = RestartConfigurationLoader.Load(location.ConfigPath);
        return new StingProject(location, compose, options);
    }

    /// <summary>A project from parts loaded separately (e.g. by a check that reports each loader's failure on its own).</summary>
    public static StingProject Create(ProjectLocation location, ComposeProject compose, RestartOptions options) =>
        new(location, compose, options);

    /// <summary>
    /// Masks every value of the project's env files and compose environment, plus anything that looks like
    /// a credential, in text bound for output (container log tails, probe output, messages).
    /// </summary>
    public Func<string, string> CreateRedactor()
    {
        var files = Compose.Services.SelectMany(s => s.EnvFiles).Select(f => f.Path).Distinct()
            .Where(File.Exists).Select(EnvFileParser.Parse).ToList();
        // Env files hold secrets by convention; inline environment only where the key says so.
        var inline = Compose.Services.SelectMany(s => s.Environment).Where(e => SecretRedactor.LooksSecretKey(e.Key)).Select(e => e.Value);
        var redactor = new SecretRedactor(files.SelectMany(f => f.Entries).Select(e => e.Value).Concat(inline));
        return text => SecretRedactor.RedactKnownPatterns(redactor.Redact(text)) ?? "";
    }

    /// <summary>Validates now the env files of one service, with the keys its config requires.</summary>
    public EnvFileValidation ValidateEnvFiles(ComposeService service, Func<string, string?> shellEnvironment) =>
        EnvFileValidator.ValidateFiles(service.EnvFiles, Options.For(service.Name).RequiredEnvironmentKeys, shellEnvironment);

    /// <summary>The Error findings of the enabled services' env files, each distinct finding once (files may be shared).</summary>
    public IReadOnlyList<(string Service, EnvFileFinding Finding)> EnvFileErrors(Func<string, string?> shellEnvironment)
    {
        var seen = new HashSet<EnvFileFinding>();
        var result = new List<(string, EnvFileFinding)>();
        foreach (var service in Compose.Services.Where(s => s.Enabled))
            foreach (var finding in ValidateEnvFiles(service, shellEnvironment).Findings.Where(f => f.Severity == EnvFileSeverity.Error))
                if (seen.Add(finding))
                    result.Add((service.Name, finding));
        return result;
    }

    /// <summary>The graph of the services that take part; pass live containers so running disabled services are included.</summary>
    public ServiceGraph Graph(IReadOnlyList<ContainerSummary>? containers = null) =>
        ServiceGraph.Build(Compose, Options, containers is null ? null : RunningDisabled(Compose, containers));

    /// <summary>
    /// Services that take part: enabled ones, plus disabled-by-profile services whose container runs
    /// anyway — a restart must not lose those (the restart reliability plan's issue 5, "log-forwarder: Not Found").
    /// </summary>
    private static HashSet<string> RunningDisabled(ComposeProject project, IEnumerable<ContainerSummary> containers)
    {
        var running = containers.Where(c => c.State == "running").Select(c => c.Service).ToHashSet(StringComparer.Ordinal);
        return project.Services.Where(s => !s.Enabled && running.Contains(s.Name)).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
    }
}
