namespace PerfSage.Targets;

/// <summary>
/// One number of the catalog with its unit and where it comes from. Every number in a target file
/// carries either a <see cref="Source"/> (a data sheet, a Vela source file, an MLPerf Tiny row, or a fit
/// to such rows) or an explicit <see cref="Assumption"/> saying why the value was chosen.
/// </summary>
/// <param name="Value">The number.</param>
/// <param name="Unit">Its unit (<c>MHz</c>, <c>B/cycle</c>, <c>cycles/MAC</c>, <c>mW</c>, <c>ratio</c>, …).</param>
/// <param name="Source">Where the number was read or fitted, or null for an assumption.</param>
/// <param name="Assumption">Why the number was assumed, or null when it is sourced.</param>
public sealed record SourcedValue(double Value, string Unit, string? Source, string? Assumption)
{
    /// <summary>True when the number is an assumption rather than sourced.</summary>
    public bool IsAssumption => Source is null;

    /// <summary>The source, or <c>assumption: …</c>.</summary>
    public string Provenance => Source ?? "assumption: " + Assumption;

    /// <summary>The value with its unit, invariant culture (<c>500 MHz</c>).</summary>
    public string Display => FormattableString.Invariant($"{Value:0.###} {Unit}");

    public override string ToString() => Display;
}
