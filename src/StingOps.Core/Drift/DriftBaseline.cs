using StingOps.Core.Compose;
using StingOps.Core.Compose.Cli;
using StingOps.Core.Engine;

namespace StingOps.Core.Drift;

/// <summary>
/// What drift is judged against: the compose CLI that would recreate the project and, for v2, the hash it computes
/// for each service. <see cref="Problem"/> says why the hashes are missing where that is worth telling.
/// </summary>
public sealed record DriftBaseline(ComposeCliInfo? Cli, IReadOnlyDictionary<string, string>? ConfigHashes, string? Problem)
{
    public static DriftBaseline ModelOnly(string? problem) => new(null, null, problem);

    /// <summary>The hashes of a v2 CLI (read through <paramref name="readHashes"/>); none for v1 (its hashes are not comparable).</summary>
    public static async Task<DriftBaseline> CreateAsync(ComposeCliInfo? cli, Func<ComposeCliInfo, CancellationToken, Task<ComposeConfigHashes>> readHashes,
        CancellationToken cancellationToken)
    {
        if (cli is null)
            return ModelOnly("no compose CLI on PATH to ask for the config hash");
        if (ComposeGenerations.Of(cli) != ComposeGeneration.V2)
            return new DriftBaseline(cli, null, null);
        var hashes = await readHashes(cli, cancellationToken).ConfigureAwait(false);
        return new DriftBaseline(cli, hashes.Hashes, hashes.Problem);
    }

    /// <summary>
    /// The CLI <paramref name="detect"/> finds and, for v2, its hashes. Where <paramref name="likely"/> names the CLI it will
    /// probably find, the hashes are asked of that one while the version is asked: each is a CLI start (~0.25 s on a
    /// small VM) that a restart waits for before it touches anything. A guess that proves wrong is cancelled and the
    /// hashes are asked of the CLI found.
    /// </summary>
    public static async Task<DriftBaseline> DetectAsync(Func<CancellationToken, Task<ComposeCliInfo?>> detect, ComposeCliInfo? likely,
        Func<ComposeCliInfo, CancellationToken, Task<ComposeConfigHashes>> readHashes, CancellationToken cancellationToken)
    {
        if (likely is null)
            return await CreateAsync(await detect(cancellationToken).ConfigureAwait(false), readHashes, cancellationToken).ConfigureAwait(false);
        using var guess = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var early = readHashes(likely, guess.Token);
        ComposeCliInfo? cli;
        try
        {
            cli = await detect(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await AbandonAsync(guess, early).ConfigureAwait(false);
            throw;
        }
        if (cli is not null && cli.Kind == likely.Kind && cli.Executable == likely.Executable && cli.PrefixArguments.SequenceEqual(likely.PrefixArguments)
            && cli.PluginExecutable == likely.PluginExecutable)
        {
            var hashes = await early.ConfigureAwait(false);
            return new DriftBaseline(cli, hashes.Hashes, hashes.Problem);
        }
        await AbandonAsync(guess, early).ConfigureAwait(false);
        return await CreateAsync(cli, readHashes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Cancels a guessed read and waits for its process to be gone; what it found does not matter.</summary>
    private static async Task AbandonAsync(CancellationTokenSource guess, Task<ComposeConfigHashes> early)
    {
        await guess.CancelAsync().ConfigureAwait(false);
        try
        {
            await early.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Whether <c>config --hash</c> reproduces the label <c>up</c> stamps for this service. It does not for a service
    /// with env_file (compose 2.22+ hashes it unresolved, docker/compose#14001) or depends_on (<c>up --no-deps</c> and
    /// <c>config</c> hash other dependencies, docker/compose#10907; seen on 2.26.1): there a differing hash alone is no
    /// proof of drift, and only what the model comparison names counts.
    /// </summary>
    public static bool HashIsExact(ComposeService service) => service.EnvFiles.Count == 0 && service.DependsOn.Count == 0;

    public const string InexactHashNote =
        "compose's config --hash does not reproduce the container's label for a service with env_file or depends_on (docker/compose#14001, #10907), so only the named settings were judged";

    /// <summary>compose's hash for this container's service when it is comparable; else null and why, when there is a reason worth telling.</summary>
    public string? ExpectedHashFor(ContainerSummary container, out string? modelNote)
    {
        modelNote = Problem;
        if (Cli is null || ConfigHashes is null)
            return null;
        var madeBy = ComposeGenerations.Of(container.Labels);
        if (madeBy != ComposeGeneration.V2)
        {
            modelNote = madeBy == ComposeGeneration.V1
                ? $"the container was made by compose v1 ({container.Labels[ComposeGenerations.VersionLabel]}), whose config hash {Cli} does not reproduce"
                : "the container carries no compose version label";
            return null;
        }
        if (!container.Labels.ContainsKey(ComposeGenerations.ConfigHashLabel))
        {
            modelNote = "the container carries no compose config hash";
            return null;
        }
        if (!ConfigHashes.TryGetValue(container.Service, out var hash))
        {
            modelNote = $"{Cli.DisplayName} config --hash printed none for this service";
            return null;
        }
        return hash;
    }
}
