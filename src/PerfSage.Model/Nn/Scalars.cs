using TorchSharp;

namespace PerfSage.Model.Nn;

/// <summary>
/// Constant TorchSharp scalars held in static fields, so they are never finalised.
/// <para>Why: TorchSharp 0.107 turns a .NET number passed where a <see cref="Scalar"/> is expected (and the
/// default <c>alpha = 1</c> of <c>a + b</c>, <c>add</c>, <c>add_</c>) into a temporary <see cref="Scalar"/>
/// whose only reference is the native handle read for the call. The garbage collector may finalise it while
/// the native call still uses it; libtorch then fails with "Unknown scalar type" or "Expected false to be
/// true". Under GC pressure this broke 27 of 30 short training runs (TorchSharp's own Adam included). Every
/// scalar this library passes is therefore either one of these fields or a local held by <c>using</c> until
/// the call returns; tensor additions use <c>add(x, Scalars.One)</c> instead of <c>+</c>.</para>
/// </summary>
internal static class Scalars
{
    public static readonly Scalar One = 1.ToScalar();

    public static readonly Scalar NegativeInfinity = float.NegativeInfinity.ToScalar();
}
