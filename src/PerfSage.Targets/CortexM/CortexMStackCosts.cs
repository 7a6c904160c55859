namespace PerfSage.Targets;

/// <summary>The numbers of one software stack on one Cortex-M core: a coefficient set per operator class,
/// the per-operator overhead, the board's active power while running it, and the runtime's flash size.</summary>
public sealed class CortexMStackCosts
{
    private readonly CortexMCoefficients[] _coefficients;

    internal CortexMStackCosts(CortexMStack stack, SpecReader reader)
    {
        Stack = stack;
        Description = reader.OptionalString("description") ?? "";
        PerOpOverheadCycles = reader.Number("per_op_overhead_cycles");
        ActivePowerMw = reader.Number("active_power_mw", min: 1e-6);
        RuntimeFlashKb = reader.Number("runtime_flash_kb");
        SpecReader costs = reader.Object("costs");
        _coefficients = new CortexMCoefficients[CortexMOpClasses.Count];
        for (int i = 0; i < _coefficients.Length; i++)
        {
            var opClass = (CortexMOpClass)i;
            SpecReader c = costs.Object(CortexMOpClasses.Key(opClass));
            foreach (string term in c.PropertyNames())
            {
                if (term is not ("cycles_per_mac" or "cycles_per_element_op" or "cycles_per_output" or "cycles_per_byte"))
                {
                    throw c.Error(term, "is not a cost term (cycles_per_mac, cycles_per_element_op, cycles_per_output, cycles_per_byte)");
                }
            }
            _coefficients[i] = new CortexMCoefficients(
                c.OptionalNumber("cycles_per_mac")?.Value ?? 0,
                c.OptionalNumber("cycles_per_element_op")?.Value ?? 0,
                c.OptionalNumber("cycles_per_output")?.Value ?? 0,
                c.OptionalNumber("cycles_per_byte")?.Value ?? 0);
        }
        foreach (string name in costs.PropertyNames())
        {
            bool known = false;
            for (int i = 0; i < CortexMOpClasses.Count && !known; i++)
            {
                known = name == CortexMOpClasses.Key((CortexMOpClass)i);
            }
            if (!known)
            {
                throw costs.Error(name, "is not an operator class (conv, depthwise, fully_connected, pool, binary, " +
                    "unary, softmax, reduction, conversion, reshape, data_movement, other)");
            }
        }
    }

    public CortexMStack Stack { get; }

    public string Description { get; }

    /// <summary>Cycles added to every operator (interpreter dispatch, kernel prologue).</summary>
    public SourcedValue PerOpOverheadCycles { get; }

    /// <summary>Board power while inferring with this stack, at the target's default clock.</summary>
    public SourcedValue ActivePowerMw { get; }

    /// <summary>Flash taken by the runtime and kernels (added to the model bytes).</summary>
    public SourcedValue RuntimeFlashKb { get; }

    /// <summary>The coefficients of one operator class.</summary>
    public CortexMCoefficients this[CortexMOpClass opClass] => _coefficients[(int)opClass];
}
