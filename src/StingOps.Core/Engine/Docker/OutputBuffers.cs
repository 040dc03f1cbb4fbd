using System.Text;
using Docker.DotNet;

namespace StingOps.Core.Engine.Docker;

/// <summary>Where the bytes of a multiplexed stream (exec output, a log) go; stdout and stderr arrive interleaved.</summary>
internal interface IOutputBuffer
{
    void Append(ReadOnlySpan<byte> data);
}

internal static class MultiplexedOutput
{
    /// <summary>Reads the stream to its end into <paramref name="into"/>. Demultiplexing is the library's: each read
    /// yields one frame's payload, whichever stream it came from.</summary>
    public static async Task ReadToEndAsync(MultiplexedStream stream, IOutputBuffer into, int chunkBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[chunkBytes];
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
            if (read.EOF)
            {
                return;
            }
            into.Append(buffer.AsSpan(0, read.Count));
        }
    }
}

/// <summary>Keeps the first <c>max</c> bytes of a stream (exec output), counting the rest.</summary>
internal sealed class BoundedOutput(int max) : IOutputBuffer
{
    private readonly MemoryStream _bytes = new();

    public bool Truncated { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        var room = max - (int)_bytes.Length;
        if (data.Length > room)
        {
            Truncated = true;
            data = data[..Math.Max(room, 0)];
        }
        _bytes.Write(data);
    }

    public override string ToString() => Encoding.UTF8.GetString(_bytes.GetBuffer(), 0, (int)_bytes.Length);
}

/// <summary>Keeps the last <c>max</c> bytes of a stream (a log tail).</summary>
internal sealed class TailBuffer(int max) : IOutputBuffer
{
    private byte[] _bytes = new byte[Math.Min(max, 16384)];
    private int _length;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.Length >= max)
        {
            _bytes = data[^max..].ToArray();
            _length = max;
            return;
        }
        if (_length + data.Length > _bytes.Length)
        {
            var keep = Math.Min(_length, max - data.Length);
            var grown = new byte[Math.Min(max, Math.Max(_bytes.Length * 2, keep + data.Length))];
            Array.Copy(_bytes, _length - keep, grown, 0, keep);
            _bytes = grown;
            _length = keep;
        }
        data.CopyTo(_bytes.AsSpan(_length));
        _length += data.Length;
    }

    public override string ToString()
    {
        var text = Encoding.UTF8.GetString(_bytes, 0, _length);
        // A cut in the middle of a multi-byte character decodes as U+FFFD at the start; drop it.
        return text.TrimStart('\uFFFD');
    }
}
