using StingOps.Core.Common;
using StingOps.Core.Compose.Cli;
using StingOps.Core.Drift;
using StingOps.Core.Engine;
using StingOps.Core.Health;

namespace StingOps.Core.Restart;

/// <summary>The end of one recreate: Succeeded, RolledBack (the old container is back and ready) or Failed.</summary>
public sealed record RecreateResult(OutcomeStatus Status, OutcomeReason Reason, string Message, DateTimeOffset? ReadyAt)
{
    /// <summary>The failed new container's diagnostics (<see cref="ReadinessOutcome.Diagnostics"/>), when it started and did not become ready.</summary>
    public string? Diagnostics { get; init; }

    /// <summary>A container of the service is ready (the new one, or the old one after a rollback): dependents may start.</summary>
    public bool Ready => ReadyAt is not null;
}

/// <summary>The executor's hook for services that are recreated instead of restarted.</summary>
public interface IServiceRecreator
{
    bool Handles(string service);

    /// <summary>
    /// Replaces the (stopped) old container with a new one from the compose model and waits for it; rolls back when
    /// it does not become ready. <paramref name="waitReady"/> is the executor's readiness wait for a container id.
    /// Cancellation is honoured while waiting; an engine or CLI operation in flight finishes first.
    /// </summary>
    Task<RecreateResult> RecreateAsync(string service, Func<string, Task<ReadinessOutcome>> waitReady, Action<string> progress, CancellationToken cancellationToken);
}

/// <summary>
/// Recreates services through the compose CLI (<c>up -d --no-deps --force-recreate</c>) with rollback from a saved
/// inspect snapshot. compose finds containers by their labels, so the old container cannot be kept aside under
/// another name (compose would recreate or remove it): it is saved as a snapshot first and, when the new container
/// fails, the new one is removed and the old one is re-created from the snapshot through the Engine API under its
/// original name (same labels, image ID, mounts; named and anonymous volumes keep their data) and must become ready
/// again. The snapshot is deleted once a container of the service is ready; kept (and named in the message) otherwise.
/// </summary>
public sealed class ServiceRecreator : IServiceRecreator
{
    private readonly IContainerEngine _engine;
    private readonly IContainerSnapshots _containers;
    private readonly IComposeCli _cli;
    private readonly string _project;
    private readonly bool _rollback;
    private readonly TimeSpan _cliTimeout;
    private readonly Func<string, string> _redact;
    private readonly IReadOnlyDictionary<string, ContainerSnapshotFile> _snapshots;
    private readonly IReadOnlyDictionary<string, AppliedConfigCheck> _expected;

    private ServiceRecreator(IContainerEngine engine, IContainerSnapshots containers, IComposeCli cli, string project, bool rollback, TimeSpan cliTimeout,
        Func<string, string> redact, IReadOnlyDictionary<string, ContainerSnapshotFile> snapshots, IReadOnlyDictionary<string, AppliedConfigCheck> expected)
    {
        _expected = expected;
        _engine = engine;
        _containers = containers;
        _cli = cli;
        _project = project;
        _rollback = rollback;
        _cliTimeout = cliTimeout;
        _redact = redact;
        _snapshots = snapshots;
    }

    public IReadOnlyCollection<string> Services => _snapshots.Keys.ToList();

    public IEnumerable<ContainerSnapshotFile> Snapshots => _snapshots.Values;

    /// <summary>
    /// Saves the inspect snapshot of each service's current container before anything is touched. Throws (and
    /// deletes what it saved) when a snapshot cannot be taken: without it there is no rollback.
    /// <paramref name="expected"/> holds, for every service of <paramref name="containerIdByService"/>, how its new
    /// container proves the change applied.
    /// </summary>
    public static async Task<ServiceRecreator> PrepareAsync(
        IContainerEngine engine, IContainerSnapshots containers, IComposeCli cli, string project, IReadOnlyDictionary<string, string> containerIdByService,
        IReadOnlyDictionary<string, AppliedConfigCheck> expected,
        string stateDirectory, string runId, bool rollback, Func<string, string>? redact, CancellationToken cancellationToken,
        TimeSpan? cliTimeout = null)
    {
        var missing = containerIdByService.Keys.Where(s => !expected.ContainsKey(s)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"no applied-configuration check for {string.Join(", ", missing)}", nameof(expected));
        var saved = new Dictionary<string, ContainerSnapshotFile>(StringComparer.Ordinal);
        try
        {
            foreach (var (service, id) in containerIdByService)
            {
                var json = await containers.GetInspectJsonAsync(id, cancellationToken).ConfigureAwait(false)
                           ?? throw new StingException(ErrorIds.ContainerNotFound, StingErrorKind.ObjectNotFound,
                               $"The container of service '{service}' ({Short(id)}) disappeared before it could be saved for rollback.", target: service);
                saved[service] = await SnapshotStore.SaveAsync(stateDirectory, project, runId, service, json, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            foreach (var s in saved.Values)
                SnapshotStore.Delete(s);
            throw;
        }
        return new ServiceRecreator(engine, containers, cli, project, rollback, cliTimeout ?? TimeSpan.FromMinutes(5), redact ?? (s => s), saved, expected);
    }

    public bool Handles(string service) => _snapshots.ContainsKey(service);

    public async Task<RecreateResult> RecreateAsync(string service, Func<string, Task<ReadinessOutcome>> waitReady, Action<string> progress, CancellationToken cancellationToken)
    {
        var snapshot = _snapshots[service];
        cancellationToken.ThrowIfCancellationRequested();
        progress($"recreating with {_cli.Info.DisplayName} up --force-recreate");
        // In flight: not cancelled with the run (a half-done compose run is worse than a finished one), but bounded.
        var up = await _cli.UpForceRecreateAsync(service, _cliTimeout, CancellationToken.None).ConfigureAwait(false);
        string? newId = null;
        string failure;
        OutcomeReason reason;
        string? diagnostics = null;
        if (up.ExitCode != 0)
        {
            reason = up.TimedOut ? OutcomeReason.Timeout : OutcomeReason.Engine;
            failure = up.TimedOut
                ? $"{_cli.Info.DisplayName} up did not finish within {DurationText.Seconds(_cliTimeout)}"
                : $"{_cli.Info.DisplayName} up failed with exit code {up.ExitCode}: {Tail(up.Output)}";
            newId = await FindNewContainerAsync(service, snapshot.ContainerId, CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            newId = await FindNewContainerAsync(service, snapshot.ContainerId, CancellationToken.None).ConfigureAwait(false);
            if (newId is null)
            {
                reason = OutcomeReason.Engine;
                failure = $"{_cli.Info.DisplayName} up succeeded but no new container of '{service}' exists";
            }
            else if (await FindUnappliedAsync(service, newId).ConfigureAwait(false) is { } unapplied)
            {
                // Ready or not, it is not what was asked for: reporting Succeeded would say the change is live.
                reason = OutcomeReason.Engine;
                failure = $"the new container {Short(newId)} does not carry the change: {unapplied}";
            }
            else
            {
                progress($"waiting for the new container {Short(newId)}");
                var outcome = await waitReady(newId).ConfigureAwait(false);
                if (outcome.Ready)
                {
                    SnapshotStore.Delete(snapshot);
                    return new RecreateResult(OutcomeStatus.Succeeded, OutcomeReason.None,
                        $"recreated: new container {Short(newId)} is ready (the previous one was removed)", outcome.ReadyAt);
                }
                reason = outcome.Reason;
                failure = $"the new container {Short(newId)} did not become ready: {outcome.Message}";
                diagnostics = outcome.Diagnostics;
            }
        }
        var result = await RollBackAsync(snapshot, newId, reason, failure, waitReady, progress, cancellationToken).ConfigureAwait(false);
        return result with { Diagnostics = diagnostics };
    }

    private async Task<RecreateResult> RollBackAsync(ContainerSnapshotFile snapshot, string? newId, OutcomeReason reason, string failure,
        Func<string, Task<ReadinessOutcome>> waitReady, Action<string> progress, CancellationToken cancellationToken)
    {
        if (!_rollback)
        {
            return new RecreateResult(OutcomeStatus.Failed, reason,
                $"recreate failed: {failure}; rollback is off (-NoRollback or rollback_enabled: false), the new container is left as it is; " +
                $"the previous container's snapshot is kept at {snapshot.Path}", null);
        }

        progress("rolling back to the previous container");
        string id;
        try
        {
            // Whatever compose left for this service, except the old container itself, goes.
            var containers = await _engine.ListProjectContainersAsync(_project, CancellationToken.None).ConfigureAwait(false);
            foreach (var c in containers.Where(c => c.Service == snapshot.Service && c.Id != snapshot.ContainerId))
                await _containers.RemoveAsync(c.Id, force: true, CancellationToken.None).ConfigureAwait(false);

            var old = await _engine.InspectAsync(snapshot.ContainerId, CancellationToken.None).ConfigureAwait(false);
            if (old is not null)
            {
                // compose failed before it removed the old container (it may have renamed it).
                if (old.Name != snapshot.ContainerName && snapshot.ContainerName.Length > 0)
                    await _containers.RenameAsync(old.Id, snapshot.ContainerName, CancellationToken.None).ConfigureAwait(false);
                id = old.Id;
            }
            else
            {
                id = await _containers.CreateFromSnapshotAsync(snapshot.InspectJson, snapshot.ContainerName, CancellationToken.None).ConfigureAwait(false);
            }
            await _engine.StartAsync(id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (StingException ex)
        {
            return new RecreateResult(OutcomeStatus.Failed, reason,
                $"recreate failed: {failure}; rollback failed: {_redact(ex.Message)}; the previous container's snapshot is kept at {snapshot.Path}", null);
        }

        cancellationToken.ThrowIfCancellationRequested();
        progress($"waiting for the previous container {Short(id)} to be ready again");
        var back = await waitReady(id).ConfigureAwait(false);
        if (!back.Ready)
        {
            return new RecreateResult(OutcomeStatus.Failed, reason,
                $"recreate failed: {failure}; rolled back, but the previous container {Short(id)} did not become ready again: {back.Message}; " +
                $"its snapshot is kept at {snapshot.Path}", null);
        }
        SnapshotStore.Delete(snapshot);
        return new RecreateResult(OutcomeStatus.RolledBack, reason,
            $"rolled back: {failure}; the previous container is back as '{snapshot.ContainerName}' ({Short(id)}) and ready", back.ReadyAt);
    }

    private async Task<string?> FindUnappliedAsync(string service, string newId)
    {
        var details = await _engine.InspectAsync(newId, CancellationToken.None).ConfigureAwait(false);
        return details is null
            ? "it disappeared before its configuration could be checked"
            : _expected[service].FindUnapplied(details);
    }

    private async Task<string?> FindNewContainerAsync(string service, string oldId, CancellationToken cancellationToken)
    {
        var containers = await _engine.ListProjectContainersAsync(_project, cancellationToken).ConfigureAwait(false);
        return containers.Where(c => c.Service == service && c.Id != oldId).OrderByDescending(c => c.Created).FirstOrDefault()?.Id;
    }

    private string Tail(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var text = string.Join(" | ", lines.TakeLast(5));
        return _redact(text.Length <= 600 ? text : text[^600..]);
    }

    private static string Short(string id) => id.Length > 12 ? id[..12] : id;
}
