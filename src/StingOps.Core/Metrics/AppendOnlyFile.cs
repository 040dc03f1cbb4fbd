using System.Runtime.InteropServices;

namespace StingOps.Core.Metrics;

/// <summary>
/// Appends a block of bytes to a file with one <c>write(2)</c> on a descriptor opened with <c>O_APPEND</c>,
/// as the shell's <c>&gt;&gt;</c> does, so the block lands at the end of the file even when a process that
/// takes no lock (STING's shell) appends at the same moment. .NET's <see cref="FileMode.Append"/> does not
/// use O_APPEND (it seeks to the end once, at open), hence the P/Invoke on Linux and macOS; elsewhere, or
/// when libc cannot be called, a <see cref="FileStream"/> write is the fallback (still one Write call, and
/// callers hold <see cref="MetricStore"/>'s lock against each other).
/// </summary>
internal static class AppendOnlyFile
{
    private const int EINTR = 4;

    public static void Append(string path, ReadOnlySpan<byte> bytes, bool ensureLeadingNewline)
    {
        EnsureExists(path);
        if (ensureLeadingNewline && !EndsWithNewlineOrEmpty(path))
        {
            // A line left unterminated (a writer killed mid-line): start ours on a fresh line.
            var withNewline = new byte[bytes.Length + 1];
            withNewline[0] = (byte)'\n';
            bytes.CopyTo(withNewline.AsSpan(1));
            bytes = withNewline;
        }
        if (TryAppendWithOAppend(path, bytes)) return;
        using var fs = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        fs.Write(bytes);
        fs.Flush();
    }

    private static void EnsureExists(string path)
    {
        if (File.Exists(path)) return;
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.Write,
            Share = FileShare.ReadWrite | FileShare.Delete,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var _ = new FileStream(path, options);
    }

    private static bool EndsWithNewlineOrEmpty(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (fs.Length == 0) return true;
        fs.Seek(-1, SeekOrigin.End);
        return fs.ReadByte() == '\n';
    }

    private static int OpenFlags()
    {
        const int O_WRONLY = 1;
        if (OperatingSystem.IsLinux()) return O_WRONLY | 0x400 /* O_APPEND */ | 0x80000 /* O_CLOEXEC */;
        if (OperatingSystem.IsMacOS()) return O_WRONLY | 0x8 /* O_APPEND */ | 0x1000000 /* O_CLOEXEC */;
        return 0;
    }

    private static bool _libcUnavailable;

    private static bool TryAppendWithOAppend(string path, ReadOnlySpan<byte> bytes)
    {
        var flags = OpenFlags();
        if (flags == 0 || _libcUnavailable) return false;
        int fd;
        try
        {
            // Two arguments only: the file already exists, so no O_CREAT and no (variadic) mode argument.
            do fd = open(path, flags);
            while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _libcUnavailable = true;
            return false;
        }
        if (fd < 0) throw new IOException($"Cannot open '{path}' for appending: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        try
        {
            var buffer = bytes.ToArray();
            while (buffer.Length > 0)
            {
                var n = write(fd, buffer, buffer.Length);
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR) continue;
                    throw new IOException($"Cannot append to '{path}': {Marshal.GetPInvokeErrorMessage(errno)}");
                }
                // A short write only happens on a full disk or a signal; write the rest.
                buffer = buffer[(int)n..];
            }
        }
        finally
        {
            close(fd);
        }
        return true;
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    private static extern nint write(int fd, byte[] buffer, nint count);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int close(int fd);
}
