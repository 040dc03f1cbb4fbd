using System.Runtime.CompilerServices;
using StingOps.Core.Common;

namespace StingOps.Core.Tests.Compose;

internal static class StingAssert
{
    /// <summary>Asserts the error id and that the message names every fragment (file, line, service, key...).</summary>
    public static StingException Fails(Action action, string errorId, params string[] fragments)
    {
        var ex = Assert.Throws<StingException>(action);
        Assert.True(ex.ErrorId == errorId, $"expected {errorId}, got {ex.ErrorId}: {ex.Message}");
        foreach (var fragment in fragments)
            Assert.True(ex.Message.Contains(fragment, StringComparison.Ordinal),
                $"message does not name '{fragment}': {ex.Message}");
        return ex;
    }

    public static StingException Fails<T>(Func<T> action, string errorId, params string[] fragments) =>
        Fails(() => { action(); }, errorId, fragments);
}

/// <summary>Files under tests/StingOps.Core.Tests/TestData, found from this source file so no copy step is needed.</summary>
internal static class TestData
{
    public static string Path(string relative, [CallerFilePath] string caller = "")
    {
        var testsRoot = FindProjectRoot(System.IO.Path.GetDirectoryName(caller)!);
        return System.IO.Path.Combine(testsRoot, "TestData", relative);
    }

    private static string FindProjectRoot(string directory)
    {
        for (var d = directory; d is not null; d = System.IO.Path.GetDirectoryName(d))
            if (File.Exists(System.IO.Path.Combine(d, "StingOps.Core.Tests.csproj"))) return d;
        throw new DirectoryNotFoundException($"StingOps.Core.Tests.csproj not found above {directory}");
    }
}
