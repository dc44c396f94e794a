using System;
using System.Threading.Tasks;
using RoslynPgSync.TestCluster;
using Xunit;

namespace RoslynPgSync.Tests.Infrastructure;

/// <summary>
/// Per test class: one <see cref="TestBed"/> with the nodes "local" and "remote" and nothing installed,
/// for the tests of the cluster support itself (<c>IClassFixture&lt;TestBedFixture&gt;</c>).
/// </summary>
public sealed class TestBedFixture : IAsyncLifetime
{
    private TestBed? _bed;

    public TestBed Bed => _bed ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync() => _bed = await TestBed.Create().Node("local").Node("remote").BuildAsync();

    public async Task DisposeAsync()
    {
        if (_bed is not null)
        {
            await _bed.DisposeAsync();
        }
    }
}
