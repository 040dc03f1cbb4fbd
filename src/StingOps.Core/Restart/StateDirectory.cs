namespace StingOps.Core.Restart;

/// <summary>
/// The user's private state directory (locks, snapshots): $XDG_STATE_HOME/stingops, else
/// ~/.local/state/stingops — never a predictable name in /tmp. Created and kept at mode 0700.
/// </summary>
public static class StateDirectory
{
    public static string Resolve(IReadOnlyDictionary<string, string?> environment)
    {
        var xdg = environment.GetValueOrDefault("XDG_STATE_HOME");
        var home = environment.GetValueOrDefault("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".local", "state") : xdg, "stingops");
    }

    /// <summary>Creates the directory when missing and makes sure only the user can enter it.</summary>
    public static string Ensure(string path)
    {
        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
