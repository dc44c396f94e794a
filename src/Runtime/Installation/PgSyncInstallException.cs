using System;

namespace RoslynPgSync.Installation;

/// <summary>
/// Installation cannot go on: a table, column, server or privilege does not match what the model needs.
/// The message names the table, column and server involved (never a password) and, for missing rights,
/// the statements a DBA must run. Nothing was changed when it is thrown.
/// </summary>
public sealed class PgSyncInstallException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PgSyncInstallException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public PgSyncInstallException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public PgSyncInstallException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
