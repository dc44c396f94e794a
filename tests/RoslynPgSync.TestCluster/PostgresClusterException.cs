using System;

namespace RoslynPgSync.TestCluster;

/// <summary>
/// Thrown when a throwaway PostgreSQL cluster cannot be found, created, started or stopped.
/// The message names what was tried and, for a failed start, ends with the tail of the server
/// log. It never contains a password.
/// </summary>
public sealed class PostgresClusterException : Exception
{
    /// <summary>Creates an exception without a message.</summary>
    public PostgresClusterException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public PostgresClusterException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public PostgresClusterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
