using System.Text.Json;
using StingOps.Core.Common;
using StingOps.Core.Restart;

namespace StingOps.Core.Tests.Restart;

public sealed class RestartLockTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "stingops-locktest-" + Guid.NewGuid().ToString("N"), "state");

    [Fact]
    public async Task Acquire_Free_WritesOwnerAndMakesDirectoryPrivate()
    {
        using var l = await RestartLock.AcquireAsync(_dir, "proj", TimeSpan.Zero, TimeProvider.System, default);

        Assert.Null(l.TakenOverFrom);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dir));
        var (state, owner) = RestartLock.Probe(_dir, "proj");
        Assert.Equal(LockState.Held, state);
        Assert.Equal(Environment.ProcessId, owner!.Pid);
    }

    [Fact]
    public async Task Acquire_WhileHeld_ThrowsRestartLocked_NamingPid()
    {
        using var first = await RestartLock.AcquireAsync(_dir, "proj", TimeSpan.Zero, TimeProvider.System, default);

        var ex = await Assert.ThrowsAsync<StingException>(() => RestartLock.AcquireAsync(_dir, "proj", TimeSpan.Zero, TimeProvider.System, default));

        Assert.Equal(ErrorIds.RestartLocked, ex.ErrorId);
        Assert.Contains($"pid {Environment.ProcessId}", ex.Message);
    }

    [Fact]
    public async Task Acquire_OtherProject_IsIndependent()
    {
        using var first = await RestartLock.AcquireAsync(_dir, "a", TimeSpan.Zero, TimeProvider.System, default);
        using var second = await RestartLock.AcquireAsync(_dir, "b", TimeSpan.Zero, TimeProvider.System, default);

        // Both are really held, each recording its owner; "b" did not take "a"'s over.
        Assert.Null(second.TakenOverFrom);
        Assert.Equal((LockState.Held, Environment.ProcessId), (RestartLock.Probe(_dir, "a").State, RestartLock.Probe(_dir, "a").Owner!.Pid));
        Assert.Equal((LockState.Held, Environment.ProcessId), (RestartLock.Probe(_dir, "b").State, RestartLock.Probe(_dir, "b").Owner!.Pid));
        await Assert.ThrowsAsync<StingException>(() => RestartLock.AcquireAsync(_dir, "b", TimeSpan.Zero, TimeProvider.System, default));
    }

    [Fact]
    public async Task Dispose_ReleasesAndRemovesTheFile()
    {
        var l = await RestartLock.AcquireAsync(_dir, "proj", TimeSpan.Zero, TimeProvider.System, default);
        l.Dispose();

        Assert.False(File.Exists(RestartLock.PathFor(_dir, "proj")));
        Assert.Equal(LockState.Free, RestartLock.Probe(_dir, "proj").State);
        using var again = await RestartLock.AcquireAsync(_dir, "proj", TimeSpan.Zero, TimeProvider.System, default);
    }

    [Fact]
    public async Task Acquire_StaleFileOfDeadOwner_IsTakenOver_AndReported()
    {
        Directory.CreateDirectory(_dir);
        var dead = new LockOwner(999_999, DateTimeOffset.UtcNow.AddHours(-1), "elsewhere");
        await File.WriteAllTextAsync(RestartLock.PathFor(_dir, "proj"), "");
        await File.WriteAllTextAsync(RestartLock.PathFor(_dir, "proj") + ".owner", JsonSerializer.Serialize(dead));
        Assert.Equal(LockState.Stale, RestartLock.Probe(_dir, "proj").State);

        using var l = await RestartLock.AcquireAsync(_dir, "proj", TimeSpan.Zero, TimeProvider.System, default);

        Assert.Equal(999_999, l.TakenOverFrom!.Pid);
    }

    [Fact]
    public async Task Acquire_WaitsForLockTimeout_ThenSucceedsWhenReleased()
    {
        var before = DateTimeOffset.UtcNow;
        var first = await RestartLock.AcquireAsync(_dir, "proj", TimeSpan.Zero, TimeProvider.System, default);
        // A lock_timeout no slow machine can exhaust: the wait ends because the lock is released, not by timing out.
        var waiting = RestartLock.AcquireAsync(_dir, "proj", TimeSpan.FromMinutes(5), TimeProvider.System, default);
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        first.Dispose();

        using var second = await waiting.WaitAsync(TimeSpan.FromMinutes(2));
        // The waiter now holds it and says so: a third attempt is refused, naming our pid and a start time after ours.
        var (state, owner) = RestartLock.Probe(_dir, "proj");
        Assert.Equal(LockState.Held, state);
        Assert.Equal(Environment.ProcessId, owner!.Pid);
        Assert.True(owner.Since >= before.AddSeconds(-1), $"owner since {owner.Since:o}, test began {before:o}");
        Assert.Null(second.TakenOverFrom);
        var refused = await Assert.ThrowsAsync<StingException>(() => RestartLock.AcquireAsync(_dir, "proj", TimeSpan.Zero, TimeProvider.System, default));
        Assert.Equal(ErrorIds.RestartLocked, refused.ErrorId);
    }

    public void Dispose()
    {
        try { Directory.Delete(Path.GetDirectoryName(_dir)!, true); } catch (IOException) { }
    }
}
