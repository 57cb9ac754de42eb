module

public import Atomik.Delta
public import Atomik.Context
public import Atomik.Fingerprint
public import Atomik.Table
public import Atomik.LWW
public import Atomik.Api
public import Atomik.EventLog
public import Atomik.Replica
public import Atomik.ReplicaImpl
public import Atomik.Wire
public import Atomik.Vectors
