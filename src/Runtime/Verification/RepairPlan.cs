using System.Collections.Generic;

namespace RoslynPgSync.Verification;

/// <summary>
/// What <see cref="PgSyncVerifier.RepairAsync"/> would do for one target (<see cref="PgSyncVerifier.PlanRepairAsync"/>):
/// its verification, and the statements the repair would queue for the destination, as the destination
/// would run them (upserts of the source's current rows for the differing keys, deletes of the keys the
/// source lacks). None when the target is equal, or cannot be repaired (schema drift, a queue that did
/// not settle).
/// </summary>
/// <param name="Verification">The target's verification.</param>
/// <param name="Statements">The remote statements, one per batch of keys.</param>
public sealed record RepairPlan(VerificationResult Verification, IReadOnlyList<string> Statements);
