# A Docker engine endpoint that misbehaves on purpose: a Unix-socket proxy in front of the real engine that
# refuses the requests whose path contains a given text (the event subscription, say) and passes the rest
# through. A real fault on a real engine, without a test hook in the product: select it with DOCKER_HOST.
Set-StrictMode -Version 3.0

if (-not ('StingOps.Test.EngineProxy' -as [type])) {
    Add-Type -TypeDefinition @'
using System;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace StingOps.Test
{
    public sealed class EngineProxy : IDisposable
    {
        private readonly Socket _listener;
        private readonly string _upstream;
        private readonly string _refuse;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private int _refused;
        private int _passed;

        public EngineProxy(string socketPath, string upstreamSocket, string refusePathPart)
        {
            SocketPath = socketPath;
            _upstream = upstreamSocket;
            _refuse = refusePathPart;
            _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            _listener.Listen(64);
            Task.Run(AcceptLoop);
        }

        public string SocketPath { get; }
        public int Refused => Volatile.Read(ref _refused);
        public int Passed => Volatile.Read(ref _passed);

        private async Task AcceptLoop()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try { client = await _listener.AcceptAsync(_stop.Token); }
                catch (Exception) { return; }
                _ = Task.Run(() => Serve(client));
            }
        }

        // One request per connection: "Connection: close" is forced on every request that is not an
        // upgrade (exec attach), so the client opens a new connection, and so is looked at, for each request.
        private async Task Serve(Socket client)
        {
            using (client)
            using (var clientStream = new NetworkStream(client, ownsSocket: false))
            {
                try
                {
                    var head = await ReadHead(clientStream);
                    if (head == null) return;
                    var lines = head.Split("\r\n");
                    var path = lines[0].Split(' ').Length > 1 ? lines[0].Split(' ')[1] : "";
                    if (path.Contains(_refuse, StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref _refused);
                        var body = "{\"message\":\"refused by the StingOps test proxy\"}";
                        var reply = "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: " + body.Length + "\r\nConnection: close\r\n\r\n" + body;
                        await clientStream.WriteAsync(Encoding.ASCII.GetBytes(reply), _stop.Token);
                        return;
                    }
                    Interlocked.Increment(ref _passed);
                    var upgrade = Array.Exists(lines, l => l.StartsWith("Upgrade:", StringComparison.OrdinalIgnoreCase));
                    var forward = new StringBuilder();
                    foreach (var line in lines)
                    {
                        if (line.Length == 0) continue;
                        if (!upgrade && line.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase)) continue;
                        forward.Append(line).Append("\r\n");
                    }
                    if (!upgrade) forward.Append("Connection: close\r\n");
                    forward.Append("\r\n");
                    using var upstream = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await upstream.ConnectAsync(new UnixDomainSocketEndPoint(_upstream), _stop.Token);
                    using var upstreamStream = new NetworkStream(upstream, ownsSocket: false);
                    await upstreamStream.WriteAsync(Encoding.ASCII.GetBytes(forward.ToString()), _stop.Token);
                    var up = clientStream.CopyToAsync(upstreamStream, _stop.Token);
                    var down = upstreamStream.CopyToAsync(clientStream, _stop.Token);
                    // The response ends the exchange: the engine closes after it (Connection: close).
                    await Task.WhenAny(down, Task.Delay(Timeout.Infinite, _stop.Token));
                }
                catch (Exception)
                {
                    // A client or engine that hangs up mid-way ends this connection only.
                }
            }
        }

        private static async Task<string> ReadHead(Stream stream)
        {
            var buffer = new MemoryStream();
            var one = new byte[1];
            while (buffer.Length < 65536)
            {
                if (await stream.ReadAsync(one, 0, 1) == 0) return null;
                buffer.WriteByte(one[0]);
                var n = buffer.Length;
                if (n >= 4)
                {
                    var b = buffer.GetBuffer();
                    if (b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n')
                        return Encoding.ASCII.GetString(b, 0, (int)n);
                }
            }
            return null;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Dispose();
            try { File.Delete(SocketPath); } catch (IOException) { }
        }
    }
}
'@
}

function Start-StingEngineProxy {
    <#
    .SYNOPSIS
        Starts a proxy in front of the engine under test (DOCKER_HOST's socket, else /var/run/docker.sock) that
        answers 500 to every request whose path contains -Refuse. Returns DockerHost (for DOCKER_HOST),
        Refused() and Passed() counters.
    #>
    param([Parameter(Mandatory)][string] $Refuse, [string] $Upstream)
    if (-not $Upstream) { $Upstream = if ($env:DOCKER_HOST -match '^unix://(.+)$') { $Matches[1] } else { '/var/run/docker.sock' } }
    $dir = Join-Path ([IO.Path]::GetTempPath()) "stingops-proxy-$([guid]::NewGuid().ToString('N').Substring(0, 12))"
    $null = New-Item -ItemType Directory -Path $dir
    $proxy = [StingOps.Test.EngineProxy]::new((Join-Path $dir 'docker.sock'), $Upstream, $Refuse)
    $handle = [pscustomobject]@{ Proxy = $proxy; Directory = $dir; DockerHost = "unix://$($proxy.SocketPath)" }
    $handle | Add-Member -MemberType ScriptMethod -Name Refused -Value { $this.Proxy.Refused }
    $handle | Add-Member -MemberType ScriptMethod -Name Passed -Value { $this.Proxy.Passed }
    $handle
}

function Stop-StingEngineProxy {
    param([Parameter(Mandatory)] $Handle)
    $Handle.Proxy.Dispose()
    Remove-Item -LiteralPath $Handle.Directory -Recurse -Force -ErrorAction SilentlyContinue
}

Export-ModuleMember -Function Start-StingEngineProxy, Stop-StingEngineProxy
