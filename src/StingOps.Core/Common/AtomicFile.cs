using System.Text;

namespace StingOps.Core.Common;

/// <summary>
/// Writes a whole file so that a reader never sees half of it: into a hidden temporary file beside it, then renamed over it.
/// A scrape (node_exporter) or a browser opening the file mid-write sees the old file or the new one.
/// </summary>
public static class AtomicFile
{
    /// <exception cref="StingException"><paramref name="errorId"/> naming the path when its directory does not exist, it is a
    /// directory, or it cannot be written.</exception>
    /// <param name="what">What a file of this kind is called in the directory error (e.g. "a file name ending in .prom").</param>
    public static void WriteAllText(string path, string text, string errorId, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            throw new StingException(errorId, StingErrorKind.ObjectNotFound,
                $"Cannot write '{full}': the directory '{directory}' does not exist.", target: full);
        if (Directory.Exists(full))
            throw new StingException(errorId, StingErrorKind.InvalidArgument,
                $"Cannot write '{full}': it is a directory; give {what}.", target: full);

        var bytes = new UTF8Encoding(false).GetBytes(text);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            using (var fs = new FileStream(temp, options))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new StingException(errorId, StingErrorKind.ResourceUnavailable, $"Cannot write '{full}': {e.Message}", e, full);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
