// A small delta-state core: N contexts of W bits (reference + accumulator each), one command
// port (load / accum / swap, one per clock), a two-lane batch-accumulate path (two (addr, delta)
// pairs per clock; when both lanes hit the same address, both deltas accumulate), and a
// combinational read port. rollback is accum (XOR is self-inverse). Icarus Verilog (-g2012).
//
// -DATOMIK_BUGGY_BATCH plants the classic RTL bug: when both lanes hit the same address in one
// clock, lane 1's write wins (lane 0's delta is lost). The cocotb scoreboard must catch it.
`timescale 1ns/1ps
module atomik_core #(parameter W = 64, parameter N = 64, parameter AW = 6) (
  input  wire          clk,
  input  wire          rst,
  // command port
  input  wire          cmd_valid,
  input  wire [1:0]    cmd_op,      // 0 load, 1 accum, 2 swap
  input  wire [AW-1:0] cmd_addr,
  input  wire [W-1:0]  cmd_data,
  // batch path: two accumulate lanes
  input  wire          b_valid0,
  input  wire [AW-1:0] b_addr0,
  input  wire [W-1:0]  b_delta0,
  input  wire          b_valid1,
  input  wire [AW-1:0] b_addr1,
  input  wire [W-1:0]  b_delta1,
  // read port
  input  wire [AW-1:0] rd_addr,
  output wire [W-1:0]  rd_ref,
  output wire [W-1:0]  rd_acc,
  output wire [W-1:0]  rd_state
);
  reg [W-1:0] ref_q [0:N-1];
  reg [W-1:0] acc_q [0:N-1];
  integer i;

  assign rd_ref   = ref_q[rd_addr];
  assign rd_acc   = acc_q[rd_addr];
  assign rd_state = ref_q[rd_addr] ^ acc_q[rd_addr];

  always @(posedge clk) begin
    if (rst) begin
      for (i = 0; i < N; i = i + 1) begin
        ref_q[i] <= {W{1'b0}};
        acc_q[i] <= {W{1'b0}};
      end
    end else if (cmd_valid) begin
      case (cmd_op)
        2'd0: begin ref_q[cmd_addr] <= cmd_data; acc_q[cmd_addr] <= {W{1'b0}}; end
        2'd1: acc_q[cmd_addr] <= acc_q[cmd_addr] ^ cmd_data;
        2'd2: begin ref_q[cmd_addr] <= ref_q[cmd_addr] ^ acc_q[cmd_addr]; acc_q[cmd_addr] <= {W{1'b0}}; end
        default: ;
      endcase
    end else if (b_valid0 || b_valid1) begin
      if (b_valid0 && b_valid1 && b_addr0 == b_addr1)
`ifdef ATOMIK_BUGGY_BATCH
        acc_q[b_addr1] <= acc_q[b_addr1] ^ b_delta1;
`else
        acc_q[b_addr0] <= acc_q[b_addr0] ^ b_delta0 ^ b_delta1;
`endif
      else begin
        if (b_valid0) acc_q[b_addr0] <= acc_q[b_addr0] ^ b_delta0;
        if (b_valid1) acc_q[b_addr1] <= acc_q[b_addr1] ^ b_delta1;
      end
    end
  end
endmodule
