using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Installation;
using RoslynPgSync.TestCluster;

// MultiMaster: two nodes on a throwaway PostgreSQL cluster (started and removed by this program),
// both writing the same 200 keys at once, each with its own replay worker, the link between them cut
// for a while; then both converge on the latest write of every key, and each shows the conflicts it
// met. Exits 0 only when both nodes are equal. Ctrl+C stops it cleanly.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    Console.WriteLine("Stopping ...");
    cancellation.Cancel();
};

try
{
    return await MultiMaster.Scenario.RunAsync(cancellation.Token) ? 0 : 1;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.WriteLine("Stopped by Ctrl+C; the throwaway cluster has been removed.");
    return 130;
}
catch (Exception ex) when (ex is PostgresClusterException or NpgsqlException or PgSyncInstallException or InvalidOperationException or TimeoutException)
{
    Console.Error.WriteLine("MultiMaster failed: " + ex.Message);
    return 1;
}
