// Lets records with init accessors compile for netstandard2.0.
namespace System.Runtime.CompilerServices;

internal static class IsExternalInit
{
}
