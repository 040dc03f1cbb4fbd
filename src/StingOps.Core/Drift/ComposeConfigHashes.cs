using System.Text.RegularExpressions;
using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Compose.Cli;

namespace StingOps.Core.Drift;

/// <summary>
/// The config hash compose v2 would stamp on each service's new container, as <c>config --hash '*'</c> prints it.
/// <see cref="Problem"/> says why there are none (then drift falls back to comparing the compose model).
/// </summary>
public sealed partial record ComposeConfigHashes(IReadOnlyDictionary<string, string>? Hashes, string? Problem)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<ComposeConfigHashes> ReadAsync(ComposeCliInfo cli, ComposeProject project, CancellationToken cancellationToken)
    {
        // config reads only the project: the plugin itself answers it when it is known (ComposePlugin).
        var args = ComposeCli.LocalProjectArguments(cli, project);
        args.AddRange(["config", "--hash", "*"]);
        var run = await ComposeCli.RunAsync(cli.LocalExecutable, args, null, Timeout, cancellationToken).ConfigureAwait(false);
        if (run.ExitCode != 0)
        {
            // The output can quote the compose files, which may hold secrets: only the exit code is reported.
            return new ComposeConfigHashes(null, run.TimedOut
                ? $"'{cli.DisplayName} config --hash' did not finish within {DurationText.Seconds(Timeout)}"
                : $"'{cli.DisplayName} config --hash' failed with exit code {run.ExitCode}");
        }
        var hashes = Parse(run.Output);
        return hashes.Count == 0
            ? new ComposeConfigHashes(null, $"'{cli.DisplayName} config --hash' printed no hash")
            : new ComposeConfigHashes(hashes, null);
    }

    /// <summary>Lines "&lt;service&gt; &lt;sha256 hex&gt;"; warnings interleaved on stderr are skipped.</summary>
    public static Dictionary<string, string> Parse(string output)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var m = HashLine().Match(line);
            if (m.Success)
                result[m.Groups[1].Value] = m.Groups[2].Value;
        }
        return result;
    }

    // Generated at build time: constructed here, the pattern was parsed again for every line of every answer.
    [GeneratedRegex("^([a-zA-Z0-9._-]+) ([0-9a-f]{64})$", RegexOptions.CultureInvariant)]
    private static partial Regex HashLine();
}
