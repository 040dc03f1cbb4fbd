namespace StingOps.Core.Tests.Metrics;

/// <summary>A fresh directory under the temp path, removed on dispose.</summary>
internal sealed class TestDirectory : IDisposable
{
    public TestDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "stingops-metrics-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

internal static class Shell
{
    /// <summary>Runs a bash script, returns stdout; fails the test on a non-zero exit.</summary>
    public static string Run(string script, string? workingDirectory = null, int timeoutMs = 60_000)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? System.IO.Path.GetTempPath(),
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(timeoutMs), "bash timed out");
        Assert.True(p.ExitCode == 0, $"bash exited {p.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    public static System.Diagnostics.Process Start(string script)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        return System.Diagnostics.Process.Start(psi)!;
    }

    public static bool Available => !OperatingSystem.IsWindows() && (File.Exists("/bin/bash") || File.Exists("/usr/bin/bash"));

    public static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";
}
