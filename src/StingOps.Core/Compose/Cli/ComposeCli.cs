using System.Diagnostics;
using System.Text;

namespace StingOps.Core.Compose.Cli;

public enum ComposeCliKind { V2Plugin, V1Standalone }

/// <summary>A compose CLI found on PATH: <c>docker compose</c> (v2) or <c>docker-compose</c> (v1).</summary>
public sealed record ComposeCliInfo(ComposeCliKind Kind, string Executable, IReadOnlyList<string> PrefixArguments, string Version)
{
    public string DisplayName => Kind == ComposeCliKind.V2Plugin ? "docker compose" : "docker-compose";

    /// <summary>
    /// v2: the plugin binary <c>docker compose</c> runs, when <see cref="ComposePlugin"/> found it; null: unknown. Only
    /// commands that never reach the engine run it directly (<see cref="LocalExecutable"/>); everything else goes
    /// through the docker CLI, which also chooses the engine (context, host).
    /// </summary>
    public string? PluginExecutable { get; init; }

    /// <summary>What runs a command that reads only the project (<c>config</c>): the plugin itself when known.</summary>
    public string LocalExecutable => PluginExecutable ?? Executable;

    /// <summary>The arguments before the command for <see cref="LocalExecutable"/>: none for the plugin run directly.</summary>
    public IReadOnlyList<string> LocalPrefixArguments => PluginExecutable is null ? PrefixArguments : [];

    public override string ToString() => $"{DisplayName} {Version}";
}

/// <summary>The outcome of one CLI run; <see cref="Output"/> is stdout+stderr, truncated, not yet redacted.</summary>
public sealed record CliResult(int ExitCode, string Output, bool TimedOut);

/// <summary>What a recreate needs from the compose CLI; faked in tests.</summary>
public interface IComposeCli
{
    ComposeCliInfo Info { get; }

    /// <summary><c>up -d --no-deps --force-recreate &lt;service&gt;</c> with the project's name, files, directory and profiles.</summary>
    Task<CliResult> UpForceRecreateAsync(string service, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>Finds and runs the compose CLI, with the project's name, files, directory and profiles, bounded in time.</summary>
public sealed class ComposeCli(ComposeCliInfo info, ComposeProject project, IReadOnlyDictionary<string, string?>? environmentOverrides = null) : IComposeCli
{
    private const int MaxOutputChars = 8 * 1024;
    private static readonly TimeSpan DetectTimeout = TimeSpan.FromSeconds(15);

    public ComposeCliInfo Info => info;

    /// <summary>
    /// The CLI of the generation that made the project: <c>docker-compose</c> (v1) when <paramref name="madeBy"/> is
    /// v1 and it answers, because v2 would recreate a v1 stack's containers under other names; otherwise
    /// <c>docker compose version --short</c> first (v2), then <c>docker-compose version --short</c> (v1); null when
    /// neither answers.
    /// </summary>
    public static async Task<ComposeCliInfo?> DetectAsync(IReadOnlyDictionary<string, string?> environment, ComposeGeneration madeBy,
        CancellationToken cancellationToken)
    {
        if (madeBy == ComposeGeneration.V1 && await DetectStandaloneAsync(environment, cancellationToken).ConfigureAwait(false) is { } legacy
            && ComposeGenerations.Of(legacy) == ComposeGeneration.V1)
            return legacy;
        var docker = FindOnPath("docker", environment);
        if (docker is not null)
        {
            // The plugin run directly answers the same, in one process instead of three; asked through the CLI when
            // it cannot be found or does not answer.
            if (ComposePlugin.Find(docker, environment) is { } plugin)
            {
                var direct = await RunAsync(plugin, ["version", "--short"], null, DetectTimeout, cancellationToken).ConfigureAwait(false);
                if (direct.ExitCode == 0 && LooksLikeVersion(direct.Output))
                    return new ComposeCliInfo(ComposeCliKind.V2Plugin, docker, ["compose"], direct.Output.Trim()) { PluginExecutable = plugin };
            }
            var v2 = await RunAsync(docker, ["compose", "version", "--short"], null, DetectTimeout, cancellationToken).ConfigureAwait(false);
            if (v2.ExitCode == 0 && LooksLikeVersion(v2.Output))
                return new ComposeCliInfo(ComposeCliKind.V2Plugin, docker, ["compose"], v2.Output.Trim());
        }
        return await DetectStandaloneAsync(environment, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What <see cref="DetectAsync"/> most likely finds, without running anything: <c>docker compose</c> (v2) when docker is
    /// on PATH and the project was not made by v1, its plugin run directly where it can be. Its version is not known yet (empty).
    /// </summary>
    public static ComposeCliInfo? LikelyFound(IReadOnlyDictionary<string, string?> environment, ComposeGeneration madeBy) =>
        madeBy != ComposeGeneration.V1 && FindOnPath("docker", environment) is { } docker
            ? new ComposeCliInfo(ComposeCliKind.V2Plugin, docker, ["compose"], "") { PluginExecutable = ComposePlugin.Find(docker, environment) }
            : null;

    /// <summary><c>docker-compose</c>: v1, or a standalone v2 binary of that name (its version tells).</summary>
    private static async Task<ComposeCliInfo?> DetectStandaloneAsync(IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        var v1Path = FindOnPath("docker-compose", environment);
        if (v1Path is null)
            return null;
        var v1 = await RunAsync(v1Path, ["version", "--short"], null, DetectTimeout, cancellationToken).ConfigureAwait(false);
        return v1.ExitCode == 0 && LooksLikeVersion(v1.Output)
            ? new ComposeCliInfo(ComposeCliKind.V1Standalone, v1Path, [], v1.Output.Trim())
            : null;
    }

    private static bool LooksLikeVersion(string output)
    {
        var text = output.Trim().TrimStart('v');
        return text.Length > 0 && char.IsDigit(text[0]) && !text.Contains('\n');
    }

    /// <summary>The global options that select the project, as both CLIs accept them.</summary>
    public static List<string> ProjectArguments(ComposeCliInfo cli, ComposeProject project) => ProjectArguments(cli.PrefixArguments, project);

    /// <summary><see cref="ProjectArguments(ComposeCliInfo, ComposeProject)"/> for <see cref="ComposeCliInfo.LocalExecutable"/>.</summary>
    public static List<string> LocalProjectArguments(ComposeCliInfo cli, ComposeProject project) => ProjectArguments(cli.LocalPrefixArguments, project);

    private static List<string> ProjectArguments(IReadOnlyList<string> prefix, ComposeProject project)
    {
        var args = new List<string>(prefix) { "--ansi", "never", "--project-name", project.Name, "--project-directory", project.ProjectDirectory };
        foreach (var file in project.ComposeFiles)
        {
            args.Add("--file");
            args.Add(file);
        }
        foreach (var profile in project.ActiveProfiles)
        {
            args.Add("--profile");
            args.Add(profile);
        }
        return args;
    }

    public static List<string> UpArguments(ComposeCliInfo cli, ComposeProject project, string service)
    {
        var args = ProjectArguments(cli, project);
        args.AddRange(["up", "-d", "--no-deps", "--force-recreate", service]);
        return args;
    }

    public Task<CliResult> UpForceRecreateAsync(string service, TimeSpan timeout, CancellationToken cancellationToken) =>
        RunAsync(info.Executable, UpArguments(info, project, service), environmentOverrides, timeout, cancellationToken);

    /// <summary>
    /// Runs a process with stdin closed and its output captured; kills it (with its children) when
    /// <paramref name="timeout"/> passes or the token is cancelled (then throws OperationCanceledException).
    /// </summary>
    /// <param name="workingDirectory">Null: this process's.</param>
    public static async Task<CliResult> RunAsync(string executable, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?>? environment,
        TimeSpan timeout, CancellationToken cancellationToken, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                if (value is null)
                    start.Environment.Remove(key);
                else
                    start.Environment[key] = value;
            }
        }

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        void Append(string? line)
        {
            if (line is null)
                return;
            lock (output)
            {
                if (output.Length < MaxOutputChars)
                    output.AppendLine(line);
            }
        }
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new CliResult(127, $"{executable} could not be started: {ex.Message}", false);
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            process.WaitForExit(); // drains the output events
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            try { process.WaitForExit(5000); } catch (InvalidOperationException) { }
            cancellationToken.ThrowIfCancellationRequested();
            lock (output)
                return new CliResult(124, output.ToString(), TimedOut: true);
        }
        lock (output)
            return new CliResult(process.ExitCode, output.ToString(), false);
    }

    internal static string? FindOnPath(string name, IReadOnlyDictionary<string, string?> environment)
    {
        var path = environment.GetValueOrDefault("PATH") ?? Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
                return candidate;
            if (OperatingSystem.IsWindows() && File.Exists(candidate + ".exe"))
                return candidate + ".exe";
        }
        return null;
    }
}
