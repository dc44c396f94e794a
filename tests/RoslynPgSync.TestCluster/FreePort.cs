using System.Net;
using System.Net.Sockets;

namespace RoslynPgSync.TestCluster;

/// <summary>Asks the kernel for a free TCP port on the loopback address.</summary>
internal static class FreePort
{
    /// <summary>
    /// Binds port 0 on 127.0.0.1, reads the port the kernel chose and releases it. Another
    /// process may take it before the server binds it; the caller retries on such a clash.
    /// </summary>
    public static int Find()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
