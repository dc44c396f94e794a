using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RoslynPgSync.Generated;
using RoslynPgSync.Hosting;
using Xunit;

namespace RoslynPgSync.Tests.Infrastructure;

/// <summary>Generic hosts running the replay worker, as applications run it, for the hosting and fault tests.</summary>
public static class WorkerHost
{
    /// <summary>A host with no default providers, logging to <paramref name="logs"/> at debug level.</summary>
    public static IHost Build(CollectingLoggerProvider logs, Action<IServiceCollection> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        configure(builder.Services);
        return builder.Build();
    }

    /// <summary>
    /// A host whose worker replays <paramref name="pair"/>'s local database (node "local") to its
    /// remote one for <paramref name="servers"/>; <paramref name="host"/> sets what the test depends on
    /// (timings, batch size, install at start), <paramref name="options"/> anything more.
    /// </summary>
    public static IHost ForPair(CollectingLoggerProvider logs, TestBed pair, string[] servers, Action<PgSyncHostOptions> host, Action<PgSyncOptions>? options = null) =>
        Build(logs, services => services.AddPgSync(
            PgSyncInstaller.Tables,
            o =>
            {
                o.NodeName = "local";
                foreach (var server in servers)
                {
                    o.AddServer(server, pair.Remote.ConnectionString);
                }

                options?.Invoke(o);
            },
            h =>
            {
                h.LocalConnectionString = pair.Local.ConnectionString;
                host(h);
            }));

    /// <summary>The host's replay worker.</summary>
    public static PgSyncReplayWorker Worker(IHost host) => host.Services.GetServices<IHostedService>().OfType<PgSyncReplayWorker>().Single();

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds; fails after <paramref name="seconds"/>, with <paramref name="state"/> in the message.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, Func<string>? state = null, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"the condition did not hold within {seconds} s " + state?.Invoke());
            await Task.Delay(100);
        }
    }
}
