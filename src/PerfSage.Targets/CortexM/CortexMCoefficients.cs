namespace PerfSage.Targets;

/// <summary>
/// The cost of one operator class on one core and stack:
/// cycles = <see cref="CyclesPerMac"/>·MACs + <see cref="CyclesPerElementOp"/>·element ops
/// + <see cref="CyclesPerOutput"/>·output elements + <see cref="CyclesPerByte"/>·activation bytes moved
/// (read + written), plus the stack's per-operator overhead. MACs and element ops are the graph's
/// <see cref="PerfSage.Graph.OpCost"/> counts. A term absent from the file is 0.
/// </summary>
public readonly record struct CortexMCoefficients(
    double CyclesPerMac, double CyclesPerElementOp, double CyclesPerOutput, double CyclesPerByte)
{
    /// <summary>Every term multiplied by <paramref name="factor"/>.</summary>
    public CortexMCoefficients Scale(double factor) => new(
        CyclesPerMac * factor, CyclesPerElementOp * factor, CyclesPerOutput * factor, CyclesPerByte * factor);
}
