using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace RoslynPgSync.Bench;

/// <summary>
/// A forwarding TCP proxy on localhost in front of the cluster that counts the bytes it carries, each
/// direction: the payload of every connection routed through it (startup and authentication
/// included; TCP/IP headers not). The copy workload measures what the verifier's connections exchange
/// with it, and a COPY of the table for comparison. Read the counts after <see cref="DisposeAsync"/>,
/// once every connection has closed.
/// </summary>
internal sealed class ByteCountingProxy : IAsyncDisposable
{
    private readonly string _host;
    private readonly int _port;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = new();
    private readonly Task _accepting;
    private long _toServer;
    private long _toClient;

    private ByteCountingProxy(string host, int port)
    {
        _host = host;
        _port = port;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Bytes the clients sent to the server.</summary>
    public long ToServer => Interlocked.Read(ref _toServer);

    /// <summary>Bytes the server sent to the clients.</summary>
    public long ToClient => Interlocked.Read(ref _toClient);

    /// <summary>Both directions.</summary>
    public long Total => ToServer + ToClient;

    /// <summary>
    /// Runs <paramref name="work"/> with a fresh proxy in front of <paramref name="host"/>:<paramref name="port"/>;
    /// returns its result and the proxy, disposed, its counts final.
    /// </summary>
    public static async Task<(T Result, ByteCountingProxy Proxy)> MeasureAsync<T>(string host, int port, Func<ByteCountingProxy, Task<T>> work)
    {
        var proxy = new ByteCountingProxy(host, port);
        await using (proxy)
        {
            return (await work(proxy), proxy);
        }
    }

    /// <summary><paramref name="connectionString"/> through this proxy, unpooled: every connection is counted from its start and ends when closed.</summary>
    public string Route(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString)
        {
            Host = IPAddress.Loopback.ToString(),
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port,
            Pooling = false,
        }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _accepting;
        Task all;
        lock (_connections)
        {
            all = Task.WhenAll(_connections);
        }

        // The clients have closed their connections: let the pumps see it, then stop any left.
        await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(10)));
        await _stop.CancelAsync();
        await all;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_connections)
            {
                _connections.Add(ForwardAsync(client));
            }
        }
    }

    /// <summary>Forwards one connection both ways until either side closes it.</summary>
    private async Task ForwardAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(_host, _port, _stop.Token);
                client.NoDelay = server.NoDelay = true;
                var up = PumpAsync(client.GetStream(), server.GetStream(), bytes => Interlocked.Add(ref _toServer, bytes));
                var down = PumpAsync(server.GetStream(), client.GetStream(), bytes => Interlocked.Add(ref _toClient, bytes));
                await Task.WhenAny(up, down);
                client.Close();
                server.Close();
                await Task.WhenAll(up, down);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                // A side went away: the bytes it exchanged until then are counted.
            }
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, Action<int> count)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                count(read);
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The other pump closed both sockets, or the proxy stops.
        }
    }
}
