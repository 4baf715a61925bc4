//! The forms that record work in a real browser, on the demo data: a staff member fills the
//! lesson form with an error, sees the message next to the field with everything typed kept,
//! fixes it and lands on the lesson; then someone holding every role opens each form. Every
//! page is scanned with axe-core and photographed at 1280x800 and 390x844.

use kirjuri::auth::Role;
use kirjuri_tests::browser::browser;
use kirjuri_tests::spawn_app_with_demo;

const FORMS: [&str; 6] =
    ["submit-response", "record-note", "record-measurement", "assess-outcome", "identify-lesson", "decide-practice"];

#[tokio::test]
async fn a_staff_member_corrects_a_refused_lesson_form_and_lands_on_the_lesson_and_every_form_is_accessible() {
    let Some(browser) = browser().await else { return };
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, staff) = app.create_api_token(kuopio, &[Role::Staff], None);
    browser.sign_in(&app, &staff).await;

    browser.goto(&app, "/record").await;
    browser.wait_for(".form-list").await;
    let offered = browser.evaluate("return [...document.querySelectorAll('.form-list a')].map(a => a.pathname)").await;
    let offered: Vec<String> = serde_json::from_value(offered).expect("a list of paths");
    assert!(offered.contains(&"/record/identify-lesson".to_owned()), "{offered:?}");
    assert!(!offered.contains(&"/record/decide-practice".to_owned()), "staff do not decide practices: {offered:?}");
    browser.assert_accessible("forms list").await;
    browser.screenshots("forms-list").await;

    browser.wait_for("a[href='/record/identify-lesson']").await.click().await.expect("the lesson form opens");
    browser.wait_for("#field-title-fi").await.send_keys("   ").await.expect("a blank title is typed");
    let happened = "Etäkäynneistä kolmannes onnistui ilman kotikäyntiä.";
    browser.wait_for("#field-driving-event-fi").await.send_keys(happened).await.expect("typed");
    browser
        .wait_for("#field-lesson-text-fi")
        .await
        .send_keys("Etäkäynti sopii lääkemuistutuksiin.")
        .await
        .expect("typed");
    browser.wait_for("#field-tags").await.send_keys("kotihoito, etäpalvelu").await.expect("typed");
    browser.wait_for("#field-sources-0").await.click().await.expect("a source is chosen");
    browser.wait_for("form.record-form button[type=submit]").await.click().await.expect("the form is sent");

    browser.wait_for(".error-summary a[href='#field-title-fi']").await;
    browser.wait_for("#field-title-fi[aria-invalid=true]").await;
    let described =
        browser.evaluate("return document.getElementById('field-title-fi').getAttribute('aria-describedby')").await;
    assert_eq!(described, serde_json::json!("field-title-fi-error"), "the input is described by its error");
    let message = browser.wait_for("#field-title-fi-error").await.text().await.expect("the error's text");
    assert!(message.contains("ei saa olla tyhjä"), "{message}");
    let kept = browser
        .evaluate(
            "return [document.getElementById('field-driving-event-fi').value,
                     document.getElementById('field-tags').value,
                     document.getElementById('field-sources-0').checked]",
        )
        .await;
    assert_eq!(kept, serde_json::json!([happened, "kotihoito, etäpalvelu", true]), "nothing typed is lost");
    browser.assert_accessible("refused lesson form").await;
    browser.screenshots("form-identify-lesson-refused").await;

    let title = "Etäkäynnit säästävät hoitajien aikaa";
    let input = browser.wait_for("#field-title-fi").await;
    input.clear().await.expect("the title is cleared");
    input.send_keys(title).await.expect("a title is typed");
    browser.wait_for("form.record-form button[type=submit]").await.click().await.expect("the form is sent again");
    browser.wait_for("main dl.fields").await;
    assert!(browser.path().await.starts_with("/lessons/"), "lands on the lesson: {}", browser.path().await);
    assert_eq!(browser.wait_for("main h1").await.text().await.expect("the heading"), title);
    browser.assert_accessible("recorded lesson").await;

    browser.wait_for("form.sign-out button").await.click().await.expect("signed out");
    browser.wait_for("#token").await;
    let (_, everyone) = app.create_api_token(kuopio, &Role::ALL, None);
    browser.sign_in(&app, &everyone).await;
    for form in FORMS {
        browser.goto(&app, &format!("/record/{form}")).await;
        browser.wait_for("form.record-form").await;
        browser.assert_accessible(form).await;
        browser.screenshots(&format!("form-{form}")).await;
    }
}
