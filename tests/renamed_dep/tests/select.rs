//! `select!`, `join!`, `try_join!`, `pin!` and `#[main]`-style entry points through a
//! renamed dependency (`robin2`): nothing may name `::robin`.
use robin2::sync::mpsc;
use std::time::Duration;

#[test]
fn select_works_under_a_renamed_crate() {
    let rt = robin2::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        let (tx_a, mut a) = mpsc::channel(4);
        let (tx_b, mut b) = mpsc::channel(4);
        tx_b.send(2).await.unwrap();
        // `a` is empty and `b` disabled: nothing to take yet, the sleep wins.
        let got = robin2::select! {
            biased;
            Some(v) = a.recv() => v,
            Some(v) = b.recv(), if false => v,
            _ = robin2::time::sleep(Duration::from_millis(10)) => 0,
        };
        assert_eq!(got, 0);
        assert_eq!(
            robin_renamed_dep::first_of(&mut a, &mut b, true).await,
            Some(2)
        );
        tx_a.send(1).await.unwrap();
        assert_eq!(
            robin_renamed_dep::first_of(&mut a, &mut b, false).await,
            Some(1)
        );
        drop((tx_a, tx_b));
        assert_eq!(
            robin_renamed_dep::first_of(&mut a, &mut b, true).await,
            None
        );
        // The other macros name nothing of robin's.
        let sleep = robin2::time::sleep(Duration::from_millis(1));
        robin2::pin!(sleep);
        let ((), x) = robin2::join!(sleep, async { 3 });
        assert_eq!(x, 3);
        let r: Result<(u8, u8), ()> = robin2::try_join!(async { Ok(1) }, async { Ok(2) });
        assert_eq!(r, Ok((1, 2)));
    });
}

#[robin2::test(crate = "robin2")]
async fn the_test_attribute_takes_the_crate_name() {
    let v = robin2::spawn(async { 5 }).await.unwrap();
    assert_eq!(v, 5);
}
