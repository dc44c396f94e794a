using System.Collections.Generic;
using System.Reflection;
using System.Threading.Tasks;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: Xunit.TestFramework("RoslynPgSync.Tests.Infrastructure.ClusterTestFramework", "RoslynPgSync.Tests")]

namespace RoslynPgSync.Tests.Infrastructure;

/// <summary>
/// The default xunit framework plus one step: once every test of the assembly has run, and
/// before the run is reported finished, the shared cluster is stopped and its folder deleted.
/// </summary>
/// <remarks>
/// Process exit alone is too late: once a test host has reported its results, <c>dotnet test</c>
/// kills it about 100 ms later (<c>VSTEST_TESTHOST_SHUTDOWN_TIMEOUT</c>), which is not always enough
/// to stop a server. The cluster's own process-exit handler and its watchdog remain as fallbacks.
/// </remarks>
public sealed class ClusterTestFramework : XunitTestFramework
{
    /// <summary>Called by xunit through the assembly attribute above.</summary>
    public ClusterTestFramework(IMessageSink messageSink)
        : base(messageSink)
    {
    }

    /// <inheritdoc />
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor : XunitTestFrameworkExecutor
    {
        public Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
            : base(assemblyName, sourceInformationProvider, diagnosticMessageSink)
        {
        }

        // xunit's own signature is async void; the runner waits for the assembly-finished message.
        protected override async void RunTestCases(
            IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        {
            using var runner = new AssemblyRunner(TestAssembly, testCases, DiagnosticMessageSink, executionMessageSink, executionOptions);
            await runner.RunAsync();
        }
    }

    private sealed class AssemblyRunner : XunitTestAssemblyRunner
    {
        public AssemblyRunner(
            ITestAssembly testAssembly,
            IEnumerable<IXunitTestCase> testCases,
            IMessageSink diagnosticMessageSink,
            IMessageSink executionMessageSink,
            ITestFrameworkExecutionOptions executionOptions)
            : base(testAssembly, testCases, diagnosticMessageSink, executionMessageSink, executionOptions)
        {
        }

        protected override async Task BeforeTestAssemblyFinishedAsync()
        {
            await SharedCluster.StopAsync();
            await base.BeforeTestAssemblyFinishedAsync();
        }
    }
}
