using System.Runtime.InteropServices;

namespace StingOps.Core.Common;

/// <summary>
/// Where the docker CLI keeps its configuration (<c>$DOCKER_CONFIG</c>, else <c>~/.docker</c>), read from a given
/// environment: the engine endpoint (contexts) and the compose plugin's location both start there.
/// </summary>
public static class DockerCliConfig
{
    /// <summary>A variable of <paramref name="environment"/>; names are case-insensitive on Windows, as there.</summary>
    public static string? Variable(IReadOnlyDictionary<string, string?> environment, string name)
    {
        if (environment.TryGetValue(name, out var value))
        {
            return value;
        }
        // Environment variable names are case-insensitive on Windows.
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            foreach (var pair in environment)
            {
                if (string.Equals(pair.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return pair.Value;
                }
            }
        }
        return null;
    }

    public static string Directory(IReadOnlyDictionary<string, string?> environment)
    {
        var dockerConfig = Variable(environment, "DOCKER_CONFIG");
        if (!string.IsNullOrEmpty(dockerConfig))
        {
            return dockerConfig;
        }
        var home = Variable(environment, "HOME");
        if (string.IsNullOrEmpty(home) && RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            home = Variable(environment, "USERPROFILE");
        }
        if (string.IsNullOrEmpty(home))
        {
            home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        }
        return Path.Combine(home, ".docker");
    }
}
