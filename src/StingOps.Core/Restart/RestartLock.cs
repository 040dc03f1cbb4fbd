using System.Text.Json;
using StingOps.Core.Common;

namespace StingOps.Core.Restart;

/// <summary>Who holds (or held) a project's restart lock.</summary>
public sealed record LockOwner(int Pid, DateTimeOffset Since, string? Host);

public enum LockState { Free, Stale, Held }

/// <summary>
/// One restart per project at a time. The lock file in the private state directory is held open with an
/// exclusive OS lock for the whole run, so a crashed owner releases it automatically. The owner's pid and
/// start time go to a sibling ".owner" file (the locked file cannot be read by others) for messages
/// ("held by pid 123 since ...") and for reporting a stale lock that was taken over.
/// </summary>
public sealed class RestartLock : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _path;

    private RestartLock(FileStream stream, string path, LockOwner? takenOverFrom)
    {
        _stream = stream;
        _path = path;
        TakenOverFrom = takenOverFrom;
    }

    /// <summary>The dead owner whose stale lock was taken over, if any (the caller warns).</summary>
    public LockOwner? TakenOverFrom { get; }

    public static string PathFor(string stateDirectory, string project) => Path.Combine(stateDirectory, $"{project}.lock");

    /// <summary>Takes the lock, waiting up to <paramref name="wait"/> for another run to finish; throws StingRestartLocked otherwise.</summary>
    public static async Task<RestartLock> AcquireAsync(string stateDirectory, string project, TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        StateDirectory.Ensure(stateDirectory);
        var path = PathFor(stateDirectory, project);
        var started = time.GetTimestamp();
        while (true)
        {
            var taken = TryTake(path);
            if (taken is not null)
                return taken;
            if (time.GetElapsedTime(started) >= wait)
            {
                var owner = ReadOwner(path);
                var who = owner is null ? "another process" : $"pid {owner.Pid} since {owner.Since:u}";
                throw new StingException(ErrorIds.RestartLocked, StingErrorKind.ResourceBusy,
                    $"Another restart of project '{project}' is running ({who}); lock file {path}. Wait for it to finish, or raise restart_configuration.lock_timeout.",
                    target: project);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Inspects a project's lock without taking it.</summary>
    public static (LockState State, LockOwner? Owner) Probe(string stateDirectory, string project)
    {
        var path = PathFor(stateDirectory, project);
        if (!File.Exists(path))
            return (LockState.Free, null);
        var owner = ReadOwner(path);
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return (owner is null ? LockState.Free : LockState.Stale, owner);
        }
        catch (IOException)
        {
            return (LockState.Held, owner);
        }
    }

    private static RestartLock? TryTake(string path)
    {
        FileStream stream;
        try
        {
            // FileShare.None is an exclusive advisory lock on Unix; it dies with its process.
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
        // Holding the OS lock proves any previous owner is gone: what it left behind is stale.
        var previous = ReadOwner(path);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var owner = JsonSerializer.Serialize(new LockOwner(Environment.ProcessId, DateTimeOffset.UtcNow, Environment.MachineName), StateJson.Default.LockOwner);
        File.WriteAllText(OwnerPath(path), owner);
        return new RestartLock(stream, path, previous);
    }

    private static string OwnerPath(string lockPath) => lockPath + ".owner";

    private static LockOwner? ReadOwner(string lockPath)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(OwnerPath(lockPath)), StateJson.Default.LockOwner);
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        // Delete while still holding the lock, so nobody sees a half-released file.
        try
        {
            File.Delete(OwnerPath(_path));
            File.Delete(_path);
        }
        catch (IOException)
        {
        }
        _stream.Dispose();
    }
}
